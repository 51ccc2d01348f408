import type { status } from '@grpc/grpc-js';
import type { FailureReason } from '../auth-failure.js';
import type { RpcObserver, RpcStart } from './observer.js';

/** One method's pre-resolved series, so a call records without building label objects. */
export interface MethodMetrics {
  /** One call started (its first headers arrived). */
  started?(): void;
  /** One finished call: its status code and how long it took, in seconds. */
  finished(code: status, seconds: number): void;
}

/** Where per-RPC metrics go (e.g. Prometheus series): calls by method and code with their latency, refusals by reason. */
export interface RpcMetrics {
  /** `method`: `/pkg.Service/Method`; `type`: unary, client_stream, server_stream or bidi_stream (Prometheus' `grpc_type`). */
  forMethod(method: string, type: RpcStart['type']): MethodMetrics;
  rejected(reason: FailureReason): void;
}

/** An observer that records every call (refused ones included) into `metrics`. */
export function metricsObserver(metrics: RpcMetrics): RpcObserver {
  return {
    start(call) {
      const series = metrics.forMethod(call.method, call.type);
      series.started?.();
      return (end) => {
        if (end.refusal) metrics.rejected(end.refusal.reason);
        series.finished(end.code, end.seconds);
      };
    },
  };
}
