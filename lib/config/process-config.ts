import { availableParallelism } from 'node:os';
import type { AuditedDecisions, RpcLines } from '@grpc-token-auth/server-kit';
import type { EnvReader } from './env-reader.js';

/** Settings every service process has: log verbosity, how long shutdown drains, how many workers. */
export interface ProcessConfig {
  readonly logLevel: string;
  /**
   * Which calls get a per-RPC log line at info: `failures` (default) writes the calls that did
   * not end OK, at most 100 a second; `all` adds one line per successful call; `off`.
   */
  readonly rpcLog: RpcLines;
  /**
   * Which authorization decisions get an audit line (`authz decision`, gRFC A59's fields):
   * `denials` (default), `all`, or `off`. They share the handlers' line cap.
   */
  readonly auditAuthz: AuditedDecisions;
  /**
   * Lines a second that handlers may write on clients' behalf (refusals, failed lookups, store
   * errors), shared by all of them in one process; the rest are counted in
   * log_lines_dropped_total and summed up in one line a second.
   */
  readonly logLinesPerSecond: number;
  readonly shutdownGraceMs: number;
  /** Worker processes sharing the listening port (node:cluster); 1 = no cluster. */
  readonly workers: number;
}

export function readProcessConfig(env: EnvReader): ProcessConfig {
  const workers = env.int('WORKERS', 1, 0, 64);
  return {
    logLevel: env.oneOf('LOG_LEVEL', 'info', ['trace', 'debug', 'info', 'warn', 'error', 'silent']),
    rpcLog: env.oneOf('RPC_LOG', 'failures', ['all', 'failures', 'off']),
    auditAuthz: env.oneOf('AUDIT_AUTHZ', 'denials', ['denials', 'all', 'off']),
    logLinesPerSecond: env.int('LOG_LINES_PER_SECOND', 20, 1, 10_000),
    shutdownGraceMs: env.int('SHUTDOWN_GRACE_MS', 5000, 0, 60_000),
    // 0 = one per core.
    workers: workers === 0 ? availableParallelism() : workers,
  };
}
