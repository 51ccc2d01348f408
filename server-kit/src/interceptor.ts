import { Metadata, ServerInterceptingCall, status, type ServerInterceptor, type StatusObject } from '@grpc/grpc-js';
import { REFUSAL_REASON_KEY } from '@grpc-token-auth/sdk';
import type { AuthFailure } from './auth-failure.js';
import type { Authenticate } from './authenticate.js';
import { attachPrincipal } from './call-identity.js';
import { clientAddress } from './limits/client-address.js';
import { KeyedSlots } from './limits/keyed-slots.js';
import { rememberHttp2Stream } from './limits/stream-reset.js';
import type { Logger, RpcMetrics } from './observability.js';

export interface InterceptorOptions {
  readonly authenticate: Authenticate;
  readonly log: Logger;
  /**
   * Where the one line per RPC goes (default: `log`). Its fields are fixed (method, code, ms,
   * subject, refusal reason) and never carry a secret, so this logger may skip redaction: with
   * pino, `log.child({}, { redact: [] })` writes the same line at about half the cost.
   */
  readonly rpcLog?: Logger | undefined;
  /**
   * Which calls get that line: `failures` (the default: calls that did not end OK; the metrics
   * count every call, and a line per successful call cost 3–17 % of CPU per call), `all` or `off`.
   */
  readonly rpcLines?: RpcLines | undefined;
  /**
   * Lines per second for calls that did not end OK; past it they are only counted, and one
   * warning per second says how many were left out, so a flood of refused calls cannot flood
   * the log. Default 100.
   */
  readonly maxFailureLinesPerSecond?: number | undefined;
  /** Undefined = metrics off (nothing recorded). */
  readonly metrics?: RpcMetrics | undefined;
  /** Request metadata above this many bytes is refused (RESOURCE_EXHAUSTED). Default 16 KiB. */
  readonly maxMetadataBytes?: number | undefined;
  /** Slots for streams that need no token (health Watch, reflection), in all and per client address. Default 100 / 10. */
  readonly publicStreams?: KeyedSlots | undefined;
}

export type RpcLines = 'all' | 'failures' | 'off';

/**
 * The one server interceptor: authenticates from the initial metadata before any
 * handler runs (a refused call's request body is never read), hands the principal
 * to the handler, and writes one log line and one metrics sample per RPC. One layer,
 * because each layer costs a few microseconds per call.
 */
export function createServerInterceptor(opts: InterceptorOptions): ServerInterceptor {
  const { authenticate, log, metrics } = opts;
  const rpcLog = opts.rpcLog ?? log;
  const maxMetadataBytes = opts.maxMetadataBytes ?? 16 * 1024;
  const publicStreams = opts.publicStreams ?? new KeyedSlots(100, 10);
  // Levels are fixed at start, so with per-RPC lines off (LOG_LEVEL=warn) no call builds one.
  const rpcLines = opts.rpcLines ?? 'failures';
  const logRpcs = rpcLines !== 'off' && log.isLevelEnabled('info');
  const failureLines = new LinesPerSecond(opts.maxFailureLinesPerSecond ?? 100, (left) =>
    log.warn({ left }, 'rpc lines left out: more calls failed than maxFailureLinesPerSecond'),
  );
  const timed = logRpcs || metrics !== undefined;
  return (descriptor, call) => {
    const method = descriptor.path;
    const started = timed ? performance.now() : 0;
    let subject: string | undefined;
    let refused: AuthFailure | undefined;
    let finished = false;
    let publicSlot: string | undefined;
    const streaming = descriptor.responseStream || descriptor.requestStream;

    // Once per call (a cancelled call may still send a status later): slots back, the log line and the metrics sample.
    const finish = (code: status) => {
      if (finished) return;
      finished = true;
      if (publicSlot !== undefined) publicStreams.release(publicSlot);
      if (!timed) return;
      const ms = performance.now() - started;
      metrics?.forMethod(method).finished(code, ms / 1000);
      if (!logRpcs) return;
      if (code === status.OK ? rpcLines !== 'all' : !failureLines.take()) return;
      const entry = { method, code: status[code] ?? code, ms: round(ms), sub: subject };
      if (refused) rpcLog.info({ ...entry, reason: refused.reason }, 'rpc refused');
      else rpcLog.info(entry, 'rpc');
    };

    // grpc-js answers some calls itself from inside the base call (an undecodable request body:
    // INTERNAL), which no interceptor's sendStatus sees; record those with the status sent.
    const baseSendStatus = call.sendStatus.bind(call);
    call.sendStatus = (sent: StatusObject) => {
      finish(sent.code);
      baseSendStatus(sent);
    };
    const refuse = (code: status, details: string, metadata?: Metadata) => {
      call.sendStatus({ code, details, ...(metadata && { metadata }) });
    };

    return new ServerInterceptingCall(call, {
      start(next) {
        next({
          onReceiveMetadata(metadata, nextMetadata) {
            if (metadataBytes(metadata) > maxMetadataBytes) {
              refuse(status.RESOURCE_EXHAUSTED, `request metadata exceeds ${maxMetadataBytes} bytes`);
              return;
            }
            let decision;
            try {
              decision = authenticate(method, metadata.get('authorization'));
            } catch (err) {
              // grpc-js does not catch interceptor exceptions: fail the call, not the process.
              log.error({ err, method }, 'authentication crashed');
              refuse(status.INTERNAL, 'authentication failed');
              return;
            }
            if (!decision.ok) {
              refused = decision.failure;
              metrics?.rejected(refused.reason);
              refuse(STATUS_OF[refused.status], refused.message, refusalTrailers(refused));
              return;
            }
            if (streaming && !decision.principal) {
              // Unauthenticated long-lived streams cost us memory for nothing: their own small caps.
              const peer = clientAddress(call.getPeer());
              const verdict = publicStreams.tryAcquire(peer);
              if (verdict !== 'ok') {
                refuse(status.RESOURCE_EXHAUSTED, verdict === 'total' ? 'too many unauthenticated streams; retry later' : 'too many unauthenticated streams from this address');
                return;
              }
              publicSlot = peer;
            }
            if (descriptor.responseStream) rememberHttp2Stream(metadata, call, finish);
            // Handlers get the token through the principal only; keep it out of metadata they might log.
            metadata.remove('authorization');
            if (decision.principal) {
              subject = decision.principal.subject;
              attachPrincipal(metadata, decision.principal);
            }
            nextMetadata(metadata);
          },
          // The client went away (or its deadline passed): no status is sent, so record it here.
          // (grpc-js passes the cancellation on to the handler by itself.)
          onCancel() {
            finish(status.CANCELLED);
          },
        });
      },
    });
  };
}

/** At most `max` lines per second; what was left out is reported once, at the end of its second. */
class LinesPerSecond {
  private windowStart = 0;
  private written = 0;
  private left = 0;

  constructor(
    private readonly max: number,
    private readonly report: (left: number) => void,
  ) {}

  take(): boolean {
    const now = performance.now();
    if (now - this.windowStart >= 1000) {
      this.windowStart = now;
      this.written = 0;
    }
    if (this.written < this.max) {
      this.written++;
      return true;
    }
    if (this.left++ === 0) {
      setTimeout(() => {
        this.report(this.left);
        this.left = 0;
      }, 1000 - (now - this.windowStart)).unref();
    }
    return false;
  }
}

const STATUS_OF = {
  unauthenticated: status.UNAUTHENTICATED,
  permission_denied: status.PERMISSION_DENIED,
  unavailable: status.UNAVAILABLE,
} as const;

/** The reason as a trailer too, so clients (the SDK's Session) can act on it without parsing the message. */
function refusalTrailers(failure: AuthFailure): Metadata {
  const trailers = new Metadata();
  trailers.set(REFUSAL_REASON_KEY, failure.reason);
  return trailers;
}

type MetadataValues = Map<string, (string | Buffer)[]>;

/**
 * HPACK's accounting (RFC 7541 §4.1): name + value + 32 per entry. Node's HTTP/2 layer already
 * caps a header block at 64 KiB; this is the tighter, configurable cap. Reads grpc-js's entry
 * map directly (no copy per call); `getMap()` is the fallback should that field ever move.
 */
function metadataBytes(metadata: Metadata): number {
  const entries = (metadata as unknown as { internalRepr?: MetadataValues }).internalRepr;
  let bytes = 0;
  if (!(entries instanceof Map)) {
    for (const [key, value] of Object.entries(metadata.getMap())) bytes += key.length + 32 + value.length;
    return bytes;
  }
  for (const [key, values] of entries) for (const v of values) bytes += key.length + 32 + v.length;
  return bytes;
}

function round(ms: number): number {
  return Math.round(ms * 1000) / 1000;
}
