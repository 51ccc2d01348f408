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
