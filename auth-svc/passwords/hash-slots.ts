/**
 * At most `limit` password hashes at once; the rest wait their turn in arrival order.
 * Each scrypt at log N 15 holds 32 MiB and a core for ~0.1 s: left to libuv's four
 * threads, a login storm takes every core and 128 MiB, starving every other RPC.
 */
export class HashSlots {
  private running = 0;
  private readonly waiting: Array<() => void> = [];

  constructor(readonly limit: number) {
    if (!Number.isInteger(limit) || limit < 1) throw new Error('limit must be a positive integer');
  }

  async run<T>(task: () => Promise<T>): Promise<T> {
    if (this.running >= this.limit) await new Promise<void>((resolve) => this.waiting.push(resolve));
    else this.running++;
    try {
      return await task();
    } finally {
      // Hand the slot straight to the next waiter (running stays the same), or free it.
      const next = this.waiting.shift();
      if (next) next();
      else this.running--;
    }
  }

  /** Hashes waiting for a slot (for metrics). */
  get queued(): number {
    return this.waiting.length;
  }
}
