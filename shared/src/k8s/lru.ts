// A Map that keeps at most `capacity` entries, dropping the least recently used: the bounded
// caches of the Event correlator (client-go uses groupcache's lru with 4,096 entries).

export class LruMap<K, V> {
  private readonly m = new Map<K, V>();

  constructor(readonly capacity: number) {
    if (!Number.isInteger(capacity) || capacity < 1) throw new RangeError(`capacity must be an integer >= 1, not ${capacity}`);
  }

  get size(): number {
    return this.m.size;
  }

  /** The value, which becomes the most recently used. */
  get(k: K): V | undefined {
    const v = this.m.get(k);
    if (v === undefined) return undefined;
    this.m.delete(k);
    this.m.set(k, v);
    return v;
  }

  set(k: K, v: V): void {
    this.m.delete(k);
    this.m.set(k, v);
    if (this.m.size > this.capacity) {
      const oldest = this.m.keys().next();
      if (!oldest.done) this.m.delete(oldest.value);
    }
  }

  delete(k: K): boolean {
    return this.m.delete(k);
  }
}
