/**
 * A server span for every call, on `@opentelemetry/api` alone (an optional peer dependency: only
 * this entry point, `@grpc-token-auth/server-kit/tracing`, needs it). Your process registers the
 * tracer provider, exporter and propagators it wants; without one the API is a no-op.
 *
 *   serverInterceptors({ authentication, observers: [tracingObserver(), metricsObserver(metrics)] })
 */
import { context, propagation, ROOT_CONTEXT, SpanKind, SpanStatusCode, trace, type Tracer } from '@opentelemetry/api';
import { status } from '@grpc/grpc-js';
import { metadataGetter, RPC_ATTRIBUTES, rpcSpanStart } from '@grpc-token-auth/sdk/tracing';
import type { RpcObserver } from './observability/observer.js';

/** The span attribute naming why authentication refused a call: the `auth-failure-reason` trailer's value. */
export const AUTH_FAILURE_ATTRIBUTE = 'auth.failure_reason';
/** The verified caller's kind (`user` or `service`) on calls authentication accepted. */
export const PRINCIPAL_KIND_ATTRIBUTE = 'auth.principal.kind';

/** Server span status ERROR for these codes only (OpenTelemetry's gRPC conventions): the rest are the caller's doing. */
const SERVER_ERROR_CODES: ReadonlySet<number> = new Set([
  status.UNKNOWN,
  status.DEADLINE_EXCEEDED,
  status.UNIMPLEMENTED,
  status.INTERNAL,
  status.UNAVAILABLE,
  status.DATA_LOSS,
]);

export interface TracingObserverOptions {
  /** Default: the global provider's tracer `@grpc-token-auth/server-kit`. */
  readonly tracer?: Tracer | undefined;
}

/**
 * An observer that gives every call a span (kind SERVER, named `pkg.Service/Method`) continuing
 * the caller's W3C trace context (`traceparent`, `tracestate`, and baggage, through the global
 * propagator), with the RPC semantic-convention attributes and the peer's address. The handler
 * and everything it starts run inside the span's context, so its outgoing calls (with the SDK's
 * `tracingInterceptor()`) become children. Place it first among the observers, before
 * authentication (`serverInterceptors` does): a call authentication refuses is an error span
 * with the refusal's reason as `auth.failure_reason`. No token or claim is ever recorded.
 */
export function tracingObserver(opts: TracingObserverOptions = {}): RpcObserver {
  const tracer = opts.tracer ?? trace.getTracer('@grpc-token-auth/server-kit');
  return {
    start(call) {
      const parent = propagation.extract(ROOT_CONTEXT, call.metadata, metadataGetter);
      const { name, attributes } = rpcSpanStart(call.method);
      const span = tracer.startSpan(name, { kind: SpanKind.SERVER, attributes }, parent);
      if (span.isRecording()) {
        const peer = splitPeer(call.peer());
        if (peer.address) span.setAttribute(RPC_ATTRIBUTES.peerAddress, peer.address);
        if (peer.port !== undefined) span.setAttribute(RPC_ATTRIBUTES.peerPort, peer.port);
      }
      const spanContext = trace.setSpan(parent, span);
      call.runWithin((fn) => context.with(spanContext, fn));
      return (end) => {
        span.setAttribute(RPC_ATTRIBUTES.statusCode, end.code);
        if (end.refusal) {
          span.setAttribute(AUTH_FAILURE_ATTRIBUTE, end.refusal.reason);
          span.setStatus({ code: SpanStatusCode.ERROR, message: `refused: ${end.refusal.reason}` });
        } else if (SERVER_ERROR_CODES.has(end.code)) {
          span.setStatus({ code: SpanStatusCode.ERROR, message: end.details });
        }
        if (end.principal) span.setAttribute(PRINCIPAL_KIND_ATTRIBUTE, end.principal.kind);
        span.end();
      };
    },
  };
}

/** `1.2.3.4:5`, `[::1]:5` → address and port; anything else is the address as given. */
function splitPeer(peer: string): { address: string | undefined; port: number | undefined } {
  if (!peer || peer === 'unknown') return { address: undefined, port: undefined };
  const match = /^\[?([^\]]*?)\]?:(\d+)$/.exec(peer);
  if (!match) return { address: peer, port: undefined };
  return { address: match[1], port: Number(match[2]) };
}
