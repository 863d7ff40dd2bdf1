/**
 * Fingerprints of plans and run inputs (issue 6 point 6): SHA-256 of canonical JSON, so a run names
 * exactly what it read and the same inputs give the same fingerprint whatever the key order.
 */
import { sha256 } from '@noble/hashes/sha256';
import { bytesToHex, utf8ToBytes } from '@noble/hashes/utils';

/**
 * Canonical JSON: object keys sorted (by UTF-16 code units), no whitespace, `undefined` members
 * left out (as JSON.stringify does), `undefined` in arrays written as null, `toJSON` honoured
 * (dates), bigint written as its decimal string. Non-finite numbers are null, as in JSON.
 */
export function canonicalJson(value: unknown): string {
  return write(value, new Set());
}

function write(value: unknown, seen: Set<object>): string {
  if (value === null || value === undefined) return 'null';
  if (typeof value === 'bigint') return JSON.stringify(value.toString());
  if (typeof value === 'number') return Number.isFinite(value) ? JSON.stringify(value) : 'null';
  if (typeof value === 'string' || typeof value === 'boolean') return JSON.stringify(value);
  if (typeof value === 'function' || typeof value === 'symbol') return 'null';
  const object = value as { toJSON?: () => unknown };
  if (typeof object.toJSON === 'function') return write(object.toJSON(), seen);
  if (seen.has(object)) throw new TypeError('canonicalJson: the value is cyclic');
  seen.add(object);
  let text: string;
  if (Array.isArray(value)) {
    text = `[${value.map((item) => write(item, seen)).join(',')}]`;
  } else {
    const record = value as Record<string, unknown>;
    const keys = Object.keys(record)
      .filter((k) => {
        const v = record[k];
        return v !== undefined && typeof v !== 'function' && typeof v !== 'symbol';
      })
      .sort();
    text = `{${keys.map((k) => `${JSON.stringify(k)}:${write(record[k], seen)}`).join(',')}}`;
  }
  seen.delete(object);
  return text;
}

/** SHA-256 (hex) of a value's canonical JSON: stable across key order. */
export function fingerprintOf(value: unknown): string {
  return bytesToHex(sha256(utf8ToBytes(canonicalJson(value))));
}
