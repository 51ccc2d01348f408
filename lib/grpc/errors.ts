import { status } from '@grpc/grpc-js';

/** An error a handler throws to end the call with a specific status and message. */
export class GrpcError extends Error {
  constructor(
    readonly code: status,
    readonly details: string,
    /** Sent as trailing metadata, e.g. a retry hint. */
    readonly trailers: Readonly<Record<string, string>> = {},
  ) {
    super(details);
    this.name = 'GrpcError';
  }
}

/** INVALID_ARGUMENT that names the offending field, so clients can point at it. */
export function invalidArgument(field: string, problem: string): GrpcError {
  return new GrpcError(status.INVALID_ARGUMENT, `${field}: ${problem}`);
}

/** Trailing metadata that tells a refused client when to try again (whole seconds). */
export const RETRY_AFTER_TRAILER = 'retry-after-seconds';

/** RESOURCE_EXHAUSTED for a throttle or quota: the wait, rounded up to a second, in the message and the trailer. */
export function retryLater(what: string, waitMs: number): GrpcError {
  const seconds = Math.max(1, Math.ceil(waitMs / 1000));
  return new GrpcError(status.RESOURCE_EXHAUSTED, `${what}; retry in ${seconds} s`, { [RETRY_AFTER_TRAILER]: String(seconds) });
}

export function notFound(what: string): GrpcError {
  return new GrpcError(status.NOT_FOUND, `${what} not found`);
}
