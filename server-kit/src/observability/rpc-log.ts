import { status } from '@grpc/grpc-js';
import type { Logger } from './logger.js';
import { LinesPerSecond } from './lines-per-second.js';
import type { RpcEnd, RpcObserver } from './observer.js';

export type RpcLines = 'all' | 'failures' | 'off';

export interface RpcLogOptions {
  readonly log: Logger;
  /**
   * Where the one line per RPC goes (default: `log`). Its fields are fixed (method, code, ms,
   * subject, refusal reason) and never carry a secret, so this logger may skip redaction: with
   * pino, `log.child({}, { redact: [] })` writes the same line at about half the cost.
   */
  readonly rpcLog?: Logger | undefined;
  /**
   * Which calls get a line at info: `failures` (the default: calls that did not end OK; a line
   * per successful call cost 3–17 % of CPU per call), `all` or `off`.
   */
  readonly lines?: RpcLines | undefined;
  /**
   * Lines per second for calls that did not end OK; past it they are only counted, and one
   * warning per second says how many were left out, so a flood of refused calls cannot flood
   * the log. Default 100.
   */
  readonly maxFailureLinesPerSecond?: number | undefined;
}

/** An observer that writes one line per call (`rpc`, or `rpc refused` with the reason), rate-limited for failures. */
export function rpcLogObserver(opts: RpcLogOptions): RpcObserver {
  const { log } = opts;
  const rpcLog = opts.rpcLog ?? log;
  const lines = opts.lines ?? 'failures';
  // Levels are fixed at start, so with lines off (or LOG_LEVEL=warn) no call builds one.
  const enabled = lines !== 'off' && log.isLevelEnabled('info');
  const failureLines = new LinesPerSecond(opts.maxFailureLinesPerSecond ?? 100, (left) =>
    log.warn({ left }, 'rpc lines left out: more calls failed than maxFailureLinesPerSecond'),
  );
  const write = (end: RpcEnd, method: string) => {
    if (end.code === status.OK ? lines !== 'all' : !failureLines.take()) return;
    const entry = { method, code: status[end.code] ?? end.code, ms: Math.round(end.seconds * 1e6) / 1000, sub: end.principal?.subject };
    if (end.refusal) rpcLog.info({ ...entry, reason: end.refusal.reason }, 'rpc refused');
    else rpcLog.info(entry, 'rpc');
  };
  return {
    start: (call) => (enabled ? (end) => write(end, call.method) : undefined),
  };
}
