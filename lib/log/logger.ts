import { pino, type DestinationStream, type Logger } from 'pino';

export type { Logger };

/**
 * JSON logs, one object per line. Redaction is a second line of defence: code never
 * passes passwords or tokens to the logger in the first place.
 */
export function createLogger(service: string, level: string, destination?: DestinationStream): Logger {
  const options = {
    name: service,
    level,
    base: { service },
    redact: {
      paths: ['password', '*.password', 'token', '*.token', 'authorization', '*.authorization', 'secret', '*.secret'],
      censor: '[redacted]',
    },
  };
  // Admin commands log to stderr, so their stdout stays the answer.
  return destination ? pino(options, destination) : pino(options);
}

/**
 * Readiness lines (`listening`, `metrics listening`): logged at info even when the level is
 * higher (benchmarks run at warn), because scripts and tests wait for them.
 */
export function announce(log: Logger, fields: object, message: string): void {
  (log.isLevelEnabled('info') ? log : log.child({}, { level: 'info' })).info(fields, message);
}
