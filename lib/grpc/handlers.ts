import { status, type handleServerStreamingCall, type handleUnaryCall, type ServerUnaryCall, type ServerWritableStream } from '@grpc/grpc-js';
import * as kit from '@grpc-token-auth/server-kit';
import { ServerError, type CallContext, type HandlerOptions } from '@grpc-token-auth/server-kit';
import type { Logger } from '../log/logger.js';
import { isTransient } from './transient-errors.js';

/**
 * The kit's handler adapters as both our services use them: unexpected failures logged to the
 * service's logger, and a dependency briefly out of reach (database, network) answered
 * UNAVAILABLE, so clients retry, instead of INTERNAL.
 */
function options(log: Logger): HandlerOptions {
  return {
    log,
    toServerError: (err, method) => {
      if (!isTransient(err)) return undefined;
      log.warn({ err: String(err), method }, 'dependency unavailable');
      return new ServerError(status.UNAVAILABLE, 'temporarily unavailable; retry');
    },
  };
}

export function unary<Req, Res>(log: Logger, fn: (req: Req, ctx: CallContext<ServerUnaryCall<Req, Res>>) => Promise<Res> | Res): handleUnaryCall<Req, Res> {
  return kit.unary(fn, options(log));
}

export function publicUnary<Req, Res>(log: Logger, fn: (req: Req, call: ServerUnaryCall<Req, Res>) => Promise<Res> | Res): handleUnaryCall<Req, Res> {
  return kit.publicUnary(fn, options(log));
}

export function serverStream<Req, Res>(
  log: Logger,
  fn: (req: Req, ctx: CallContext<ServerWritableStream<Req, Res>>) => Promise<void>,
): handleServerStreamingCall<Req, Res> {
  return kit.serverStream(fn, options(log));
}
