import { pino, type Logger } from 'pino';

export type { Logger };

/**
 * JSON logs, one object per line. Redaction is a second line of defence: code never
 * passes passwords or tokens to the logger in the first place.
 */
export function createLogger(service: string, level: string): Logger {
  return pino({
    name: service,
    level,
    base: { service },
    redact: {
      paths: ['password', '*.password', 'token', '*.token', 'authorization', '*.authorization', 'secret', '*.secret'],
      censor: '[redacted]',
    },
  });
}

/**
 * Readiness lines (`listening`, `metrics listening`): logged at info even when the level is
 * higher (benchmarks run at warn), because scripts and tests wait for them.
 */
export function announce(log: Logger, fields: object, message: string): void {
  (log.isLevelEnabled('info') ? log : log.child({}, { level: 'info' })).info(fields, message);
}
