/** At most `max` lines per second; what was left out is reported once, at the end of its second. */
export class LinesPerSecond {
  private windowStart = 0;
  private written = 0;
  private left = 0;

  constructor(
    private readonly max: number,
    private readonly report: (left: number) => void,
  ) {}

  take(): boolean {
    const now = performance.now();
    if (now - this.windowStart >= 1000) {
      this.windowStart = now;
      this.written = 0;
    }
    if (this.written < this.max) {
      this.written++;
      return true;
    }
    if (this.left++ === 0) {
      setTimeout(() => {
        this.report(this.left);
        this.left = 0;
      }, 1000 - (now - this.windowStart)).unref();
    }
    return false;
  }
}
