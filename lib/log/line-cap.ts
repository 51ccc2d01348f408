import { LinesPerSecond as LineCap } from '@grpc-token-auth/server-kit/internal';
import type { Logger } from './logger.js';

/**
 * The cap every line a client can cause in one process takes from (LOG_LINES_PER_SECOND): the
 * kit's LinesPerSecond — past it lines are dropped, counted (`dropped`, exported as
 * log_lines_dropped_total) and reported in one line at the end of their second, so whatever a
 * client does, a process writes at most perSecond + 1 such lines a second.
 */
export { LineCap };

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
