import { status, type ServerInterceptor } from '@grpc/grpc-js';
import { principalOf } from '../call-identity.js';
import { clientAddress } from '../limits/client-address.js';
import { KeyedSlots } from '../limits/keyed-slots.js';
import { stageInterceptor } from './stage.js';

export interface PublicStreamLimits {
  /** Streams without a verified caller open at once, in all (default 100) … */
  readonly maxStreams?: number | undefined;
  /** … and from one client address (default 10). */
  readonly maxStreamsPerAddress?: number | undefined;
}

/**
 * Streams that need no token (health `Watch`, reflection) cost memory for as long as they stay
 * open, and anyone can open them: capped in all and per client address (RESOURCE_EXHAUSTED past
 * a cap). Place it after authentication: a stream with a verified principal is not counted.
 * Unary calls pass through untouched.
 */
export function publicStreamLimitInterceptor(limits: PublicStreamLimits = {}): ServerInterceptor {
  const slots = new KeyedSlots(limits.maxStreams ?? 100, limits.maxStreamsPerAddress ?? 10);
  return stageInterceptor((descriptor, call, send) => {
    if (!descriptor.requestStream && !descriptor.responseStream) return undefined;
    let held: string | undefined;
    return {
      onMetadata(metadata) {
        if (principalOf({ metadata }) !== undefined) return true;
        const peer = clientAddress(call.getPeer());
        const verdict = slots.tryAcquire(peer);
        if (verdict === 'ok') {
          held = peer;
          return true;
        }
        send({ code: status.RESOURCE_EXHAUSTED, details: verdict === 'total' ? 'too many unauthenticated streams; retry later' : 'too many unauthenticated streams from this address' });
        return false;
      },
      onEnd() {
        if (held !== undefined) slots.release(held);
      },
    };
  });
}
