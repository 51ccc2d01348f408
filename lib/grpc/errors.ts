import { status } from '@grpc/grpc-js';
import { ServerError } from '@grpc-token-auth/server-kit';

/**
 * The kit's ServerError under the name our services' handlers use: the one error whose status
 * reaches the caller.
 */
export { ServerError as GrpcError };

/** INVALID_ARGUMENT that names the offending field, so clients can point at it. */
export function invalidArgument(field: string, problem: string): ServerError {
  return new ServerError(status.INVALID_ARGUMENT, `${field}: ${problem}`);
}

/** Trailing metadata that tells a refused client when to try again (whole seconds). */
export const RETRY_AFTER_TRAILER = 'retry-after-seconds';

/** RESOURCE_EXHAUSTED for a throttle or quota: the wait, rounded up to a second, in the message and the trailer. */
export function retryLater(what: string, waitMs: number): ServerError {
  const seconds = Math.max(1, Math.ceil(waitMs / 1000));
  return new ServerError(status.RESOURCE_EXHAUSTED, `${what}; retry in ${seconds} s`, { [RETRY_AFTER_TRAILER]: String(seconds) });
}

export function notFound(what: string): ServerError {
  return new ServerError(status.NOT_FOUND, `${what} not found`);
}
