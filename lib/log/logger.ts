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
  // Admin commands log to stderr, so their stdout stays the answer. Services write stdout
  // asynchronously: under load lines written while a write is pending go out together (one
  // syscall, not one per RPC); idle, each line goes out at once; pino flushes what is left at exit.
  return pino(options, destination ?? pino.destination({ dest: 1, sync: false }));
}

/**
 * Readiness lines (`listening`, `metrics listening`): logged at info even when the level is
 * higher (benchmarks run at warn), because scripts and tests wait for them.
 */
export function announce(log: Logger, fields: object, message: string): void {
  (log.isLevelEnabled('info') ? log : log.child({}, { level: 'info' })).info(fields, message);
}
