import {
  Metadata,
  status,
  type handleServerStreamingCall,
  type handleUnaryCall,
  type ServerErrorResponse,
  type ServerUnaryCall,
  type ServerWritableStream,
} from '@grpc/grpc-js';
import { requirePrincipal, type Principal } from '@grpc-token-auth/server-kit';
import type { Logger } from '../log/logger.js';
import { GrpcError } from './errors.js';
import { isTransient } from './transient-errors.js';

/** What every protected handler receives besides its request. */
export interface CallContext<Call> {
  readonly principal: Principal;
  readonly call: Call;
}

/** Adapts an async handler taking the verified principal to grpc-js's callback style. */
export function unary<Req, Res>(
  log: Logger,
  fn: (req: Req, ctx: CallContext<ServerUnaryCall<Req, Res>>) => Promise<Res> | Res,
): handleUnaryCall<Req, Res> {
  return publicUnary(log, (req, call) => fn(req, { principal: requirePrincipal(call), call }));
}

/** Same as `unary`, for handlers that are public (no principal). */
export function publicUnary<Req, Res>(
  log: Logger,
  fn: (req: Req, call: ServerUnaryCall<Req, Res>) => Promise<Res> | Res,
): handleUnaryCall<Req, Res> {
  // The hot path of every unary RPC: no async wrapper of our own (one promise and closure fewer per call).
  return (call, callback) => {
    const fail = (err: unknown) => callback(toStatusError(log, call.getPath(), err));
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

/** Server-streaming handler: `fn` writes to the stream and resolves when it should end (OK). */
export function serverStream<Req, Res>(
  log: Logger,
  fn: (req: Req, ctx: CallContext<ServerWritableStream<Req, Res>>) => Promise<void>,
): handleServerStreamingCall<Req, Res> {
  return (call) => {
    run(log, call.getPath(), async () => fn(call.request, { principal: requirePrincipal(call), call })).then(
      () => {
        if (!call.cancelled) call.end();
      },
      (err: ServerErrorResponse) => {
        if (!call.cancelled) call.emit('error', err);
      },
    );
  };
}

/** Runs a handler body and turns any failure into a status error. */
async function run<T>(log: Logger, method: string, body: () => Promise<T>): Promise<T> {
  try {
    return await body();
  } catch (err) {
    throw toStatusError(log, method, err);
  }
}

/**
 * Any failure as the status to send; unexpected errors are logged, never leaked. Handlers get a
 * capped logger (LOG_LINES_PER_SECOND), so a client repeating a failing call cannot flood the log.
 */
function toStatusError(log: Logger, method: string, err: unknown): ServerErrorResponse {
  if (err instanceof GrpcError) return toServiceError(err.code, err.details, err.trailers);
  if (isTransient(err)) {
    log.warn({ err: String(err), method }, 'dependency unavailable');
    return toServiceError(status.UNAVAILABLE, 'temporarily unavailable; retry');
  }
  const store = storeErrorOf(err);
  // A database's refusal is one short line (its code and message say it all); a bug keeps its stack.
  if (store) log.error({ storeError: store, method }, 'handler failed: store error'); // not `err`: pino would add a stack field
  else log.error({ err, method }, 'handler failed');
  return toServiceError(status.INTERNAL, 'internal error');
}

/**
 * The code and message of an error raised by SQLite (better-sqlite3: `SQLITE_*` codes) or
 * PostgreSQL (node-postgres: a five-character SQLSTATE and a severity); undefined for anything
 * else. Never the statement's parameters or the row PostgreSQL puts in `detail`.
 */
function storeErrorOf(err: unknown): { code: string; message: string } | undefined {
  if (!(err instanceof Error)) return undefined;
  const { code, severity } = err as { code?: unknown; severity?: unknown };
  if (typeof code !== 'string') return undefined;
  const sqlite = code.startsWith('SQLITE_');
  const postgres = /^[0-9A-Z]{5}$/.test(code) && typeof severity === 'string';
  return sqlite || postgres ? { code, message: err.message.slice(0, 200) } : undefined;
}

function toServiceError(code: status, details: string, trailers: Readonly<Record<string, string>> = {}): ServerErrorResponse {
  const metadata = new Metadata();
  for (const [key, value] of Object.entries(trailers)) metadata.set(key, value);
  return Object.assign(new Error(details), { code, details, metadata });
}
