/**
 * OpenTelemetry for gRPC calls, on `@opentelemetry/api` alone (an optional peer dependency: this
 * entry point, `@grpc-token-auth/sdk/tracing`, is the only one that needs it). Without a tracer
 * provider registered by your process the API is a no-op: no span is recorded and nothing is sent.
 *
 *   const dashboard = createDashboardClient(address, { interceptors: [tracingInterceptor(), session.interceptor] });
 */
import { InterceptingCall, type Interceptor, type Metadata } from '@grpc/grpc-js';
import { context, propagation, SpanKind, SpanStatusCode, trace, type Attributes, type TextMapGetter, type TextMapSetter, type Tracer } from '@opentelemetry/api';

/** The RPC semantic conventions' attribute names (stable names copied, as the conventions ask of instrumentations). */
export const RPC_ATTRIBUTES = {
  system: 'rpc.system',
  service: 'rpc.service',
  method: 'rpc.method',
  statusCode: 'rpc.grpc.status_code',
  peerAddress: 'network.peer.address',
  peerPort: 'network.peer.port',
} as const;

/** A span's name and attributes for a method path `/pkg.Service/Method`: `pkg.Service/Method`, rpc.system=grpc, rpc.service, rpc.method. */
export function rpcSpanStart(path: string): { name: string; attributes: Attributes } {
  const name = path.startsWith('/') ? path.slice(1) : path;
  const slash = name.lastIndexOf('/');
  return {
    name,
    attributes: {
      [RPC_ATTRIBUTES.system]: 'grpc',
      [RPC_ATTRIBUTES.service]: slash < 0 ? name : name.slice(0, slash),
      [RPC_ATTRIBUTES.method]: slash < 0 ? '' : name.slice(slash + 1),
    },
  };
}

/** Reads trace context (traceparent, tracestate, baggage) from gRPC metadata; never hands out `authorization`. */
export const metadataGetter: TextMapGetter<Metadata> = {
  keys: (carrier) => Object.keys(carrier.getMap()).filter((key) => key !== 'authorization'),
  get(carrier, key) {
    if (key.toLowerCase() === 'authorization') return undefined;
    const values = carrier.get(key).filter((v): v is string => typeof v === 'string');
    return values.length === 0 ? undefined : values.length === 1 ? values[0] : values;
  },
};

/** Writes trace context into gRPC metadata. */
export const metadataSetter: TextMapSetter<Metadata> = {
  set: (carrier, key, value) => carrier.set(key, value),
};

export interface TracingInterceptorOptions {
  /** Default: the global provider's tracer `@grpc-token-auth/sdk`. */
  readonly tracer?: Tracer | undefined;
}

/**
 * A client span per call (kind CLIENT, named `pkg.Service/Method`, the RPC semantic-convention
 * attributes and the final `rpc.grpc.status_code`; any status but OK is an error), a child of the
 * span active where the call was made, and its context sent as `traceparent`/`tracestate`/
 * `baggage` metadata so the server's span joins the trace. Put it first in `interceptors`.
 */
export function tracingInterceptor(opts: TracingInterceptorOptions = {}): Interceptor {
  const tracer = opts.tracer ?? trace.getTracer('@grpc-token-auth/sdk');
  return (options, nextCall) => {
    const parent = context.active();
    const { name, attributes } = rpcSpanStart(options.method_definition.path);
    const span = tracer.startSpan(name, { kind: SpanKind.CLIENT, attributes }, parent);
    const spanContext = trace.setSpan(parent, span);
    return new InterceptingCall(nextCall(options), {
      start(metadata, listener, next) {
        propagation.inject(spanContext, metadata, metadataSetter);
        next(metadata, {
          onReceiveStatus(received, nextStatus) {
            span.setAttribute(RPC_ATTRIBUTES.statusCode, received.code);
            if (received.code !== 0) span.setStatus({ code: SpanStatusCode.ERROR, message: received.details });
            span.end();
            nextStatus(received);
          },
        });
      },
    });
  };
}
