import type { ServerInterceptor } from '@grpc/grpc-js';
import { observabilityInterceptor } from '../observability/interceptor.js';
import type { RpcObserver } from '../observability/observer.js';
import { liveStreamInterceptor } from '../streams/stream-control.js';
import { metadataLimitInterceptor } from './metadata-limit.js';
import { publicStreamLimitInterceptor, type PublicStreamLimits } from './public-stream-limit.js';
import { compose } from './stage.js';

export interface ServerInterceptorsOptions {
  /** `auth.interceptor(POLICIES)`, or `authenticationInterceptor(createAuthenticate(POLICIES, verify))`. */
  readonly authentication: ServerInterceptor;
  /** Observability hooks (e.g. `metricsObserver(…)`, `rpcLogObserver(…)`); none: no observability layer. */
  readonly observers?: readonly RpcObserver[] | undefined;
  /** Request metadata cap in bytes (default 16 KiB). */
  readonly maxMetadataBytes?: number | undefined;
  /** Caps for streams without a verified caller (defaults 100 in all, 10 per address). */
  readonly publicStreams?: PublicStreamLimits | undefined;
}

/**
 * Every concern of the kit, in the order that lets each see what it should: observability
 * first (it sees refused calls too), then the metadata limit (before any token is read),
 * authentication, the public-stream caps (which need to know whether the caller was verified),
 * and the live-stream control. Each is also exported alone; here they run in one interceptor
 * layer (`auth.interceptor(…)` and `authenticationInterceptor(…)` included), which costs a few
 * microseconds per call less than one layer each.
 */
export function serverInterceptors(opts: ServerInterceptorsOptions): ServerInterceptor[] {
  const observers = opts.observers ?? [];
  return compose([
    ...(observers.length > 0 ? [observabilityInterceptor(...observers)] : []),
    metadataLimitInterceptor(opts.maxMetadataBytes),
    opts.authentication,
    publicStreamLimitInterceptor(opts.publicStreams),
    liveStreamInterceptor(),
  ]);
}
