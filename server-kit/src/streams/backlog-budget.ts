/**
 * Bytes that server streams of this process have written but not yet handed to the network,
 * because their readers are slow: each stream has its own cap, and all of them share this
 * one, so many slow readers together cannot exhaust the heap either.
 */
export class BacklogBudget {
  private used = 0;

  constructor(readonly maxBytes: number) {}

  tryTake(bytes: number): boolean {
    if (this.used + bytes > this.maxBytes) return false;
    this.used += bytes;
    return true;
  }

  give(bytes: number): void {
    this.used = Math.max(0, this.used - bytes);
  }

  get bytes(): number {
    return this.used;
  }
}
