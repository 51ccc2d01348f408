/**
 * Slots held in all and per key (a client address, a principal), with a cap on each: the
 * bookkeeping behind every "at most N, at most M per client" rule. Pure, so unit-testable.
 */
export class KeyedSlots {
  private total = 0;
  private readonly byKey = new Map<string, number>();

  constructor(
    readonly maxTotal: number,
    readonly maxPerKey: number,
  ) {}

  /** Takes a slot for `key` (under `maxPerKey`, or a cap of its own), or says which cap refused it (nothing taken then). */
  tryAcquire(key: string, maxPerKey = this.maxPerKey): 'ok' | 'total' | 'key' {
    if (this.total >= this.maxTotal) return 'total';
    const n = this.byKey.get(key) ?? 0;
    if (n >= maxPerKey) return 'key';
    this.byKey.set(key, n + 1);
    this.total++;
    return 'ok';
  }

  release(key: string): void {
    const n = this.byKey.get(key);
    if (n === undefined) return;
    if (n <= 1) this.byKey.delete(key);
    else this.byKey.set(key, n - 1);
    this.total--;
  }

  get held(): number {
    return this.total;
  }

  heldBy(key: string): number {
    return this.byKey.get(key) ?? 0;
  }
}
