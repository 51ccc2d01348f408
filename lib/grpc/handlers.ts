import { status, type handleServerStreamingCall, type handleUnaryCall, type ServerUnaryCall, type ServerWritableStream } from '@grpc/grpc-js';
import * as kit from '@grpc-token-auth/server-kit';
import { ServerError, type CallContext, type HandlerOptions } from '@grpc-token-auth/server-kit';
import type { Logger } from '../log/logger.js';
import { isTransient } from './transient-errors.js';

/**
 * The kit's handler adapters as both our services use them: unexpected failures logged to the
 * service's logger (a capped one, LOG_LINES_PER_SECOND, so a client repeating a failing call
 * cannot flood the log); a dependency briefly out of reach (database, network) answered
 * UNAVAILABLE, so clients retry, instead of INTERNAL; a database's refusal logged as one short
 * line (its code and message say it all) where a bug keeps its stack.
 */
function options(log: Logger): HandlerOptions {
  return {
    log,
    toServerError: (err, method) => {
      if (isTransient(err)) {
        log.warn({ err: String(err), method }, 'dependency unavailable');
        return new ServerError(status.UNAVAILABLE, 'temporarily unavailable; retry');
      }
      const store = storeErrorOf(err);
      if (!store) return undefined;
      log.error({ storeError: store, method }, 'handler failed: store error'); // not `err`: pino would add a stack field
      return new ServerError(status.INTERNAL, 'internal error');
    },
  };
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
