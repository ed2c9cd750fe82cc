import { LruCache } from '@eventgraph/runtime';

export interface LookupCacheOptions {
  /** how long a found value is trusted (bus events evict sooner) */
  ttlMs: number;
  /** how long "not found" is remembered, so a repeated invented key asks once */
  negativeTtlMs: number;
  maxEntries: number;
  maxNegativeEntries: number;
}

/**
 * Answers of the users subgraph about callers, by key. Found values and "not
 * found" live in separate bounded LRUs, so a flood of invented keys only ever
 * pushes out other invented keys: callers in use stay cached. Concurrent
 * requests for the same key share one lookup; a failed lookup is not kept.
 */
export class LookupCache<T> {
  private readonly found: LruCache<string, T>;
  private readonly missing: LruCache<string, true>;
  private readonly inFlight = new Map<string, Promise<T | null>>();
  /** bumped by delete/clear, so a lookup that started before an eviction does not store its stale answer */
  private generation = 0;
  /** lookups sent to the users subgraph (for tests and metrics) */
  lookups = 0;

  constructor(options: LookupCacheOptions) {
    this.found = new LruCache(options.maxEntries, options.ttlMs);
    this.missing = new LruCache(options.maxNegativeEntries, options.negativeTtlMs);
  }

  /**
   * The cached answer, or the one `load` gives. `beforeLookup` runs first when
   * the users subgraph would be asked (nothing cached, nothing in flight); if it
   * throws, nothing is asked.
   */
  async get(key: string, load: () => Promise<T | null>, beforeLookup?: () => Promise<void>): Promise<T | null> {
    const hit = this.found.get(key);
    if (hit !== undefined) return hit;
    if (this.missing.get(key)) return null;
    const pending = this.inFlight.get(key);
    if (pending) return pending;
    await beforeLookup?.();
    const again = this.inFlight.get(key); // another request may have started it while we waited
    if (again) return again;
    const generation = this.generation;
    this.lookups++;
    const lookup = load().then(
      (value) => {
        if (this.inFlight.get(key) === lookup) this.inFlight.delete(key);
        if (generation === this.generation) {
          if (value === null) this.missing.set(key, true);
          else this.found.set(key, value);
        }
        return value;
      },
      (err: unknown) => {
        if (this.inFlight.get(key) === lookup) this.inFlight.delete(key);
        throw err;
      },
    );
    this.inFlight.set(key, lookup);
    return lookup;
  }

  delete(key: string): void {
    this.generation++;
    this.found.delete(key);
    this.missing.delete(key);
    this.inFlight.delete(key);
  }

  clear(): void {
    this.generation++;
    this.found.clear();
    this.missing.clear();
    this.inFlight.clear();
  }

  get size(): number {
    return this.found.size;
  }
}
