import type { Logger } from './logger.js';

/**
 * At most `perSecond` log lines a second from everything that shares one cap; the lines past it
 * are dropped, counted (`dropped`, exported as log_lines_dropped_total), and reported in one
 * line at the end of their second through `report`. The same rule RPC_LOG's failure lines follow
 * in the server kit, for the lines handlers write: whatever a client does, a process writes at
 * most perSecond + 1 such lines a second.
 */
export class LineCap {
  /** Lines dropped since start. */
  dropped = 0;
  private windowStart = -Infinity;
  private written = 0;
  private left = 0;

  constructor(
    readonly perSecond: number,
    private readonly report: (left: number) => void,
    private readonly now: () => number = () => performance.now(),
  ) {}

  take(): boolean {
    const now = this.now();
    if (now - this.windowStart >= 1000) {
      this.windowStart = now;
      this.written = 0;
    }
    if (this.written < this.perSecond) {
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

const LEVELS = new Set<PropertyKey>(['trace', 'debug', 'info', 'warn', 'error', 'fatal']);

/**
 * `log`, but every line it (or a child of it) writes first takes from `cap`. For what handlers
 * log on a client's behalf (refusals, failed lookups, store errors); audit lines and start-up
 * lines go through the uncapped logger.
 */
export function cappedLogger(log: Logger, cap: LineCap): Logger {
  return new Proxy(log, {
    get(target, property) {
      if (LEVELS.has(property)) {
        const write = (target as unknown as Record<PropertyKey, (...args: unknown[]) => void>)[property]!;
        return (...args: unknown[]) => {
          if (target.isLevelEnabled(property as string) && cap.take()) write.apply(target, args);
        };
      }
      if (property === 'child') return (...args: Parameters<Logger['child']>) => cappedLogger(target.child(...args) as unknown as Logger, cap);
      const value: unknown = Reflect.get(target, property, target);
      return typeof value === 'function' ? value.bind(target) : value;
    },
  });
}

/** The cap a service's handlers share, reporting dropped lines through `log` itself (at most one line a second). */
export function handlerLineCap(log: Logger, perSecond: number): LineCap {
  return new LineCap(perSecond, (left) => log.warn({ left, maxPerSecond: perSecond }, 'log lines left out: more than LOG_LINES_PER_SECOND'));
}
