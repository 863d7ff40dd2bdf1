/**
 * Recent KPI answers, so that a dashboard opened again (or by a colleague with the same scope)
 * is answered without evaluating its metrics again. An answer is keyed by the objects it was
 * computed from, by identity: the loaded dimensions (a new object after every import, quota edit
 * or reload, so a changed input is never answered from an older one), the caller's scope (a new
 * object when the hierarchy is read again), and the request's own text (the query, and today for
 * the default as-of day). At most `capacity` answers are kept, the least recently used dropped
 * first; a failed computation is not kept. A capacity of 0 keeps nothing (every request computes).
 */
export class AnswerCache {
  private readonly ids = new WeakMap<object, number>();
  private nextId = 1;
  private readonly entries = new Map<string, Promise<unknown>>();

  constructor(private readonly capacity = 64) {}

  /** The answer for these parts, computed once while it stays in the cache. */
  get<T>(parts: readonly (object | string)[], compute: () => Promise<T>): Promise<T> {
    if (this.capacity === 0) return compute();
    const key = parts.map((p) => (typeof p === 'string' ? JSON.stringify(p) : `#${this.idOf(p)}`)).join('|');
    const hit = this.entries.get(key);
    if (hit) {
      // most recently used last
      this.entries.delete(key);
      this.entries.set(key, hit);
      return hit as Promise<T>;
    }
    const value = compute();
    this.entries.set(key, value);
    value.catch(() => {
      if (this.entries.get(key) === value) this.entries.delete(key);
    });
    while (this.entries.size > this.capacity) this.entries.delete(this.entries.keys().next().value!);
    return value;
  }

  get size(): number {
    return this.entries.size;
  }

  clear(): void {
    this.entries.clear();
  }

  private idOf(o: object): number {
    let id = this.ids.get(o);
    if (id === undefined) this.ids.set(o, (id = this.nextId++));
    return id;
  }
}
