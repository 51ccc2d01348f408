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

export function notFound(what: string): GrpcError {
  return new GrpcError(status.NOT_FOUND, `${what} not found`);
}
