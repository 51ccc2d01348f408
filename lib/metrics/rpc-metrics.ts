import { status } from '@grpc/grpc-js';
import { Counter, Histogram, type Registry } from 'prom-client';
import type { FailureReason, MethodMetrics, RpcMetrics as RpcMetricsShape } from '@grpc-token-auth/server-kit';

/** Seconds; from sub-millisecond cached verifications up to slow password hashing. */
export const RPC_SECONDS_BUCKETS = [0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10];

/**
 * Method paths seen before further ones share the label `other`. Only registered methods
 * reach the interceptor, so this never triggers in practice; it bounds the series anyway.
 */
export const MAX_METHOD_LABELS = 500;
export const OTHER_METHOD = 'other';

/** Per-RPC series the server interceptor records: calls by method and code, latency, refusals by reason. */
export class RpcMetrics implements RpcMetricsShape {
  private readonly handled: Counter<'method' | 'code'>;
  private readonly seconds: Histogram<'method'>;
  private readonly rejections: Counter<'reason'>;
  private readonly methods = new Map<string, MethodMetrics>();
  private other: MethodMetrics | undefined;
  private readonly reasons = new Map<FailureReason, Counter.Internal>();

  constructor(registry: Registry) {
    this.handled = new Counter({
      name: 'grpc_server_handled_total',
      help: 'RPCs completed on the server, by method and gRPC status code.',
      labelNames: ['method', 'code'],
      registers: [registry],
    });
    this.seconds = new Histogram({
      name: 'grpc_server_handling_seconds',
      help: 'Time from the start of an RPC to its status, by method (refused calls included).',
      labelNames: ['method'],
      buckets: RPC_SECONDS_BUCKETS,
      registers: [registry],
    });
    this.rejections = new Counter({
      name: 'authn_rejections_total',
      help: 'Calls the interceptor refused before any handler ran, by reason (missing, invalid_signature, expired, revoked, forbidden, ...).',
      labelNames: ['reason'],
      registers: [registry],
    });
  }

  /** The series of one method path (resolved once, then a map lookup per call). */
  forMethod(path: string): MethodMetrics {
    const known = this.methods.get(path);
    if (known) return known;
    if (this.methods.size >= MAX_METHOD_LABELS) return (this.other ??= this.resolve(OTHER_METHOD));
    const m = this.resolve(path);
    this.methods.set(path, m);
    return m;
  }

  rejected(reason: FailureReason): void {
    let child = this.reasons.get(reason);
    if (!child) {
      child = this.rejections.labels(reason);
      this.reasons.set(reason, child);
    }
    child.inc();
  }

  private resolve(method: string): MethodMetrics {
    const latency = this.seconds.labels(method);
    // Indexed by status code (0..16); children created on first use so scrapes show only codes that happened.
    const byCode: (Counter.Internal | undefined)[] = [];
    return {
      finished: (code, seconds) => {
        const known = status[code] !== undefined ? code : status.UNKNOWN;
        let child = byCode[known];
        if (!child) {
          child = this.handled.labels(method, status[known]);
          byCode[known] = child;
        }
        child.inc();
        latency.observe(seconds);
      },
    };
  }
}
