import { ServerInterceptingCall, status, type ServerInterceptor } from '@grpc/grpc-js';

/**
 * grpc-js answers a request body it cannot decode itself (INTERNAL), from inside its base call,
 * where no interceptor sees the status: the call would be logged and counted as CANCELLED. Our
 * service definitions decode to this marker instead of throwing, and `undecodableRequests()`
 * (the innermost interceptor) sends grpc-js's own answer through the interceptor chain, where
 * the observers see it. The handler never sees the marker.
 */
export const UNDECODABLE = Object.freeze({ undecodable: true });

export function undecodableRequests(): ServerInterceptor {
  return (_descriptor, call) =>
    new ServerInterceptingCall(call, {
      start(next) {
        next({
          onReceiveMessage(message, nextMessage) {
            if (message === UNDECODABLE) call.sendStatus({ code: status.INTERNAL, details: 'Error deserializing request' });
            else nextMessage(message);
          },
        });
      },
    });
}
