/**
 * A Map with a size cap that forgets the least recently *updated* entry first.
 *
 * A JavaScript Map iterates in insertion order, so re-inserting on every `set` keeps the oldest
 * update at the front: eviction and expiry sweeps only ever look at the front. Reads (`get`) do not
 * reorder, so merely checking a key cannot keep it alive.
 */
export class BoundedMap<K, V> {
  private readonly entries = new Map<K, V>();

  constructor(readonly maxEntries: number) {
    if (!Number.isInteger(maxEntries) || maxEntries < 1) throw new RangeError('maxEntries must be a positive integer');
  }

  get size(): number {
    return this.entries.size;
  }

  get(key: K): V | undefined {
    return this.entries.get(key);
  }

  /** Stores `value` as the most recent entry, evicting the oldest ones beyond the cap. */
  set(key: K, value: V): void {
    this.entries.delete(key);
    this.entries.set(key, value);
    while (this.entries.size > this.maxEntries) {
      const oldest = this.entries.keys().next();
      if (oldest.done === true) break;
      this.entries.delete(oldest.value);
    }
  }

  delete(key: K): void {
    this.entries.delete(key);
  }

  /**
   * Drops expired entries from the old end, at most `limit` per call, stopping at the first live one.
   * Called on every write, this keeps memory proportional to live state without any timer.
   */
  sweep(isExpired: (value: V) => boolean, limit: number): void {
    let seen = 0;
    for (const [key, value] of this.entries) {
      if (seen++ >= limit || !isExpired(value)) return;
      this.entries.delete(key);
    }
  }
}
