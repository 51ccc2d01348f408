import type { Metadata, ServerInterceptor } from '@grpc/grpc-js';
import { stageInterceptor, type StatusToSend } from '../interceptors/stage.js';

/**
 * A server stream whose client stopped reading cannot be ended through the handler's stream:
 * grpc-js sends the status only after every queued message, which that client never takes. This
 * interceptor gives live streams a way around the queue through grpc-js's public interceptor API:
 * it files, on the call's metadata, a function that sends a status from its place in the chain
 * (interceptors before it, observability included, see it as usual). Server-streaming methods
 * only; other calls pass through untouched.
 */
const CONTROL = Symbol('stream control');

type WithControl = Metadata & { [CONTROL]?: (status: StatusToSend) => void };

export function liveStreamInterceptor(): ServerInterceptor {
  return stageInterceptor((descriptor, _call, send) =>
    descriptor.responseStream
      ? {
          onMetadata(metadata) {
            (metadata as WithControl)[CONTROL] = send;
            return true;
          },
        }
      : undefined,
  );
}

/** Sends `status` past the handler's queue; false when no liveStreamInterceptor runs on this call. */
export function sendStatusNow(metadata: Metadata, status: StatusToSend): boolean {
  const send = (metadata as WithControl)[CONTROL];
  if (!send) return false;
  send(status);
  return true;
}
