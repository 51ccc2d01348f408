import { ServerInterceptingCall, type Metadata, type ServerInterceptingCallInterface, type ServerInterceptor } from '@grpc/grpc-js';

type PartialStatusObject = Parameters<ServerInterceptingCallInterface['sendStatus']>[0];

/**
 * A server stream whose client stopped reading cannot be ended through the handler's stream:
 * grpc-js sends the status only after every queued message, which that client never takes. This
 * interceptor gives live streams a way around the queue through grpc-js's public interceptor API:
 * it files, on the call's metadata, a function that sends a status from its place in the chain
 * (outer interceptors, observability included, see it as usual). Server-streaming methods only;
 * other calls pass through untouched.
 */
const CONTROL = Symbol('stream control');

type WithControl = Metadata & { [CONTROL]?: (status: PartialStatusObject) => void };

export function liveStreamInterceptor(): ServerInterceptor {
  return (descriptor, call) => {
    if (!descriptor.responseStream) return call as ServerInterceptingCall;
    return new ServerInterceptingCall(call, {
      start(next) {
        next({
          onReceiveMetadata(metadata, nextMetadata) {
            (metadata as WithControl)[CONTROL] = (status) => call.sendStatus(status);
            nextMetadata(metadata);
          },
        });
      },
    });
  };
}

/** Sends `status` past the handler's queue; false when no liveStreamInterceptor runs on this call. */
export function sendStatusNow(metadata: Metadata, status: PartialStatusObject): boolean {
  const send = (metadata as WithControl)[CONTROL];
  if (!send) return false;
  send(status);
  return true;
}
