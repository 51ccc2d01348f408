import {
  status,
  type handleServerStreamingCall,
  type handleUnaryCall,
  type ServerErrorResponse,
  type ServerUnaryCall,
  type ServerWritableStream,
} from '@grpc/grpc-js';
import { requirePrincipal } from '../call-identity.js';
import { silentLogger, type Logger } from '../observability/logger.js';
import type { Principal } from '../principal.js';
import { ServerError } from '../server-error.js';

/** What every protected handler receives besides its request. */
export interface CallContext<Call> {
  readonly principal: Principal;
  readonly call: Call;
}

export interface HandlerOptions {
  /** Where failures that are not a ServerError are reported (default: nowhere). */
  readonly log?: Logger | undefined;
  /**
   * Turns a failure that is not a ServerError into one (e.g. "database unreachable" →
   * UNAVAILABLE), or returns undefined for the default: INTERNAL "internal error", logged.
   */
  readonly toServerError?: ((err: unknown, method: string) => ServerError | undefined) | undefined;
}

/**
 * A unary handler that gets the verified principal: `unary(async (req, { principal }) => …)`.
 * Returns or throws; only a thrown ServerError chooses the caller's status.
 */
export function unary<Req, Res>(
  fn: (req: Req, ctx: CallContext<ServerUnaryCall<Req, Res>>) => Promise<Res> | Res,
  opts: HandlerOptions = {},
): handleUnaryCall<Req, Res> {
  return publicUnary((req, call) => fn(req, { principal: requirePrincipal(call), call }), opts);
}

/** Same as `unary`, for public methods (no principal). */
export function publicUnary<Req, Res>(
  fn: (req: Req, call: ServerUnaryCall<Req, Res>) => Promise<Res> | Res,
  opts: HandlerOptions = {},
): handleUnaryCall<Req, Res> {
  const toStatus = statusErrors(opts);
  // The hot path of every unary RPC: no async wrapper of our own (one promise and closure fewer per call).
  return (call, callback) => {
    const fail = (err: unknown) => callback(toStatus(err, call.getPath()));
    let result: Promise<Res> | Res;
    try {
      result = fn(call.request, call);
    } catch (err) {
      fail(err);
      return;
    }
    if (result instanceof Promise) result.then((res) => callback(null, res), fail);
    else callback(null, result);
  };
}

/**
 * A server-streaming handler that gets the verified principal: `fn` writes to `call` and
 * resolves when the stream should end OK (return a `liveStream(…)` for event streams).
 */
export function serverStream<Req, Res>(
  fn: (req: Req, ctx: CallContext<ServerWritableStream<Req, Res>>) => Promise<void>,
  opts: HandlerOptions = {},
): handleServerStreamingCall<Req, Res> {
  const toStatus = statusErrors(opts);
  return (call) => {
    const ended = () => call.cancelled || call.destroyed;
    new Promise<void>((resolve) => resolve(fn(call.request, { principal: requirePrincipal(call), call }))).then(
      () => {
        if (!ended()) call.end();
      },
      (err: unknown) => {
        if (!ended()) call.emit('error', toStatus(err, call.getPath()));
      },
    );
  };
}

/** Any failure as the status to send: a ServerError's own; otherwise what `toServerError` says, or INTERNAL. Never the failure's own code or metadata. */
function statusErrors(opts: HandlerOptions): (err: unknown, method: string) => ServerErrorResponse {
  const log = opts.log ?? silentLogger;
  return (err, method) => {
    const known = err instanceof ServerError ? err : opts.toServerError?.(err, method);
    if (known) return asResponse(known);
    log.error({ err, method }, 'handler failed');
    return asResponse(new ServerError(status.INTERNAL, 'internal error'));
  };
}

function asResponse(err: ServerError): ServerErrorResponse {
  const { code, details, metadata } = err.toStatus();
  return Object.assign(new Error(details), { code, details, metadata });
}
