import type { Context } from 'hono';

/** Bodies already encoded, by the value they encode (a cached KPI answer is the same object). */
const encoded = new WeakMap<object, Buffer<ArrayBuffer>>();

/**
 * A 200 JSON response encoded to UTF-8 once, here. `c.json` hands the server a string, which it
 * measures (Buffer.byteLength) and then encodes again as it writes: for a KPI report of several
 * megabytes that is two more passes over it. Same body and content type as `c.json`. An object
 * answered again (from the metrics service's answer cache) is not encoded again: callers must
 * not change a value after answering with it.
 */
export function jsonBytes(c: Context, value: unknown): Response {
  let body = typeof value === 'object' && value !== null ? encoded.get(value) : undefined;
  if (!body) {
    body = Buffer.from(JSON.stringify(value));
    if (typeof value === 'object' && value !== null) encoded.set(value, body);
  }
  return c.body(body, 200, { 'content-type': 'application/json' });
}
