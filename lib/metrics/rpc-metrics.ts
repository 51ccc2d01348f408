import { status } from '@grpc/grpc-js';
import { Counter, type Registry } from 'prom-client';
import { LeanHistogram } from './lean-histogram.js';
import type { FailureReason, MethodMetrics, RpcMetrics as RpcMetricsShape } from '@grpc-token-auth/server-kit';

/** Seconds; from sub-millisecond cached verifications up to slow password hashing. */
export const RPC_SECONDS_BUCKETS = [0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10];

/**
 * Method paths seen before further ones share the label `other`. Only registered methods
 * reach the interceptor, so this never triggers in practice; it bounds the series anyway.
 */
export const MAX_METHOD_LABELS = 500;
export const OTHER_METHOD = 'other';

const CODES = Object.keys(status).filter((k) => /^\d+$/.test(k)).length;

/**
 * Per-RPC series the server interceptor records: calls by method and code, latency, refusals by
 * reason. A call adds to plain arrays (prom-client's label hashing cost about 2 µs per RPC):
 * the call counts are handed to prom-client's counter when it is scraped, the latencies live in
 * a LeanHistogram.
 */
export class RpcMetrics implements RpcMetricsShape {
  private readonly handled: Counter<'method' | 'code'>;
  private readonly seconds: LeanHistogram;
  /** Calls finished since the last scrape, per method, indexed by status code. */
  private readonly pending: { method: string; byCode: Float64Array }[] = [];
  private readonly rejections: Counter<'reason'>;
  private readonly methods = new Map<string, MethodMetrics>();
  private other: MethodMetrics | undefined;
  private readonly reasons = new Map<FailureReason, Counter.Internal>();

  constructor(registry: Registry) {
    const pending = this.pending;
    this.handled = new Counter({
      name: 'grpc_server_handled_total',
      help: 'RPCs completed on the server, by method and gRPC status code.',
      labelNames: ['method', 'code'],
      registers: [registry],
      // Runs at every scrape: codes show only once they happened.
      collect() {
        for (const p of pending) {
          for (let code = 0; code < CODES; code++) {
            const n = p.byCode[code]!;
            if (n === 0) continue;
            this.inc({ method: p.method, code: status[code] }, n);
            p.byCode[code] = 0;
          }
        }
      },
    });
    this.seconds = new LeanHistogram(
      'grpc_server_handling_seconds',
      'Time from the start of an RPC to its status, by method (refused calls included).',
      RPC_SECONDS_BUCKETS,
      registry,
    );
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
    const latency = this.seconds.observer({ method });
    const byCode = new Float64Array(CODES);
    this.pending.push({ method, byCode });
    return {
      finished: (code, seconds) => {
        byCode[Number.isInteger(code) && code >= 0 && code < CODES ? code : status.UNKNOWN]!++;
        latency.observe(seconds);
      },
    };
  }
}
