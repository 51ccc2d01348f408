import { status, type ServerInterceptor } from '@grpc/grpc-js';
import { stageInterceptor } from '@grpc-token-auth/server-kit/internal';

/**
 * grpc-js answers a request body it cannot decode itself (INTERNAL), from inside its base call,
 * where no interceptor sees the status: the call would be logged and counted as CANCELLED. Our
 * service definitions decode to this marker instead of throwing, and `undecodableRequests()`
 * (after the kit's interceptors) sends grpc-js's own answer through them, where the observers see
 * it. The handler never sees the marker.
 */
export const UNDECODABLE = Object.freeze({ undecodable: true });

export function undecodableRequests(): ServerInterceptor {
  return stageInterceptor((_descriptor, _call, send) => ({
    onMessage(message) {
      if (message !== UNDECODABLE) return true;
      send({ code: status.INTERNAL, details: 'Error deserializing request' });
      return false;
    },
  }));
}
