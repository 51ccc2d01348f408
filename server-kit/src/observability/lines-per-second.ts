/**
 * At most `max` lines a second; what was left out is counted (`dropped`, since start) and
 * reported once, at the end of its second. One implementation for every capped line: the kit's
 * RPC and audit lines, and (through the internal entry) the lines our services' handlers write.
 */
export class LinesPerSecond {
  /** Lines left out since start. */
  dropped = 0;
  private windowStart = -Infinity;
  private written = 0;
  private left = 0;

  constructor(
    readonly max: number,
    private readonly report: (left: number) => void,
    private readonly now: () => number = () => performance.now(),
  ) {}

  take(): boolean {
    const now = this.now();
    if (now - this.windowStart >= 1000) {
      this.windowStart = now;
      this.written = 0;
    }
    if (this.written < this.max) {
      this.written++;
      return true;
    }
    this.dropped++;
    if (this.left++ === 0) {
      setTimeout(() => {
        const left = this.left;
        this.left = 0;
        this.report(left);
      }, Math.max(0, 1000 - (now - this.windowStart))).unref();
    }
    return false;
  }
}
