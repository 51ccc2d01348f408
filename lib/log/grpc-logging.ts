import { setLogger } from '@grpc/grpc-js';
import { format } from 'node:util';
import type { Logger } from './logger.js';

const METADATA_ENTRY = /(Failed to add metadata entry [^\s:]+:)[\s\S]*/;
const BEARER = /\b(bearer)\s+\S+/gi;
// Three base64url segments, the first two long enough to be a JWT's header and claims.
const JWT = /\beyJ[A-Za-z0-9_-]{8,}\.[A-Za-z0-9_-]{8,}\.[A-Za-z0-9_-]*/g;

/**
 * grpc-js's own messages, stripped of credentials. grpc-js prints a header value it cannot
 * parse whole (`Failed to add metadata entry authorization: Bearer eyJ…`), and its error text
 * repeats the value, so that line keeps only the key.
 */
export function redactCredentials(message: string): string {
  return message.replace(METADATA_ENTRY, '$1 [redacted]').replace(BEARER, '$1 [redacted]').replace(JWT, '[redacted jwt]');
}

/**
 * Routes grpc-js's logger (which writes to stderr by itself, whatever our level) through the
 * service's logger, redacted. Verbosity stays grpc-js's (GRPC_VERBOSITY, errors by default).
 */
export function routeGrpcLogs(log: Logger): void {
  const child = log.child({ source: 'grpc-js' });
  const line = (args: unknown[]) => redactCredentials(format(...args));
  setLogger({
    error: (...args: unknown[]) => child.error(line(args)),
    info: (...args: unknown[]) => child.info(line(args)),
    debug: (...args: unknown[]) => child.debug(line(args)),
  });
}
