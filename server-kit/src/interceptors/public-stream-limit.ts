import { ServerInterceptingCall, status, type ServerInterceptingCallInterface, type ServerInterceptor } from '@grpc/grpc-js';
import { principalOf } from '../call-identity.js';
import { clientAddress } from '../limits/client-address.js';
import { KeyedSlots } from '../limits/keyed-slots.js';

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
  return slotsInterceptor(new KeyedSlots(limits.maxStreams ?? 100, limits.maxStreamsPerAddress ?? 10));
}

/** The same on a given slot table (our services read its size for metrics). */
export function slotsInterceptor(slots: KeyedSlots): ServerInterceptor {
  return (descriptor, call) => {
    // Not a layer at all for unary calls: grpc-js only needs the call interface back.
    if (!descriptor.requestStream && !descriptor.responseStream) return call as ServerInterceptingCall;
    let held: string | undefined;
    const release = () => {
      if (held === undefined) return;
      slots.release(held);
      held = undefined;
    };
    return new ServerInterceptingCall(call, {
      start(next) {
        next({
          onReceiveMetadata(metadata, nextMetadata) {
            if (principalOf({ metadata }) === undefined && !takeSlot(slots, call, (peer) => (held = peer))) return;
            nextMetadata(metadata);
          },
          onCancel: release,
        });
      },
      sendStatus(sent, next) {
        release();
        next(sent);
      },
    });
  };
}

function takeSlot(slots: KeyedSlots, call: ServerInterceptingCallInterface, hold: (peer: string) => void): boolean {
  const peer = clientAddress(call.getPeer());
  const verdict = slots.tryAcquire(peer);
  if (verdict === 'ok') {
    hold(peer);
    return true;
  }
  const details = verdict === 'total' ? 'too many unauthenticated streams; retry later' : 'too many unauthenticated streams from this address';
  call.sendStatus({ code: status.RESOURCE_EXHAUSTED, details });
  return false;
}
