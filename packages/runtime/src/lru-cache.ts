/**
 * A bounded map that forgets the least recently used entry when full, and
 * entries older than their time to live. Unlike a cache that is emptied when
 * it fills up, a flood of new keys only pushes out the coldest entries: what
 * is in use keeps being found. Map iteration order is insertion order, so
 * re-inserting on every hit keeps the coldest entry first.
 */
export class LruCache<K, V> {
  private readonly entries = new Map<K, { value: V; until: number }>();

  constructor(
    readonly maxEntries: number,
    private readonly defaultTtlMs: number,
    private readonly now: () => number = Date.now,
  ) {
    if (!(maxEntries >= 1)) throw new RangeError('maxEntries must be at least 1');
  }

  get(key: K): V | undefined {
    const entry = this.entries.get(key);
    if (!entry) return undefined;
    this.entries.delete(key);
    if (entry.until <= this.now()) return undefined;
    this.entries.set(key, entry);
    return entry.value;
  }

  set(key: K, value: V, ttlMs = this.defaultTtlMs): void {
    this.entries.delete(key);
    this.entries.set(key, { value, until: this.now() + ttlMs });
    while (this.entries.size > this.maxEntries) this.entries.delete(this.entries.keys().next().value as K);
  }

  /** Removes the entry only while it still holds `value` (a newer one stays). */
  deleteIf(key: K, value: V): void {
    if (this.entries.get(key)?.value === value) this.entries.delete(key);
  }

  delete(key: K): boolean {
    return this.entries.delete(key);
  }

  clear(): void {
    this.entries.clear();
  }

  has(key: K): boolean {
    return this.get(key) !== undefined;
  }

  get size(): number {
    return this.entries.size;
  }
}
