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

export function notFound(what: string): ServerError {
  return new ServerError(status.NOT_FOUND, `${what} not found`);
}
