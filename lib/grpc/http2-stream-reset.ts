import type { Metadata, ServerInterceptor } from '@grpc/grpc-js';
import type { CutOffReason } from '@grpc-token-auth/server-kit';
import { stageInterceptor } from '@grpc-token-auth/server-kit/internal';
import { constants } from 'node:http2';

/**
 * Our services cut a live stream's reader off with an HTTP/2 RST_STREAM: it frees the stream
 * and everything queued for it at once, and the client learns it even if it never reads again
 * (the kit's public route sends a status, which such a client only sees when it reads). grpc-js
 * exposes no such call: this reads a field of its base server call (`stream`, checked by shape;
 * the services pin @grpc/grpc-js exactly, and hostile-floods tests it). Not in the published kit.
 */
const RESET = Symbol('http2 stream');

interface Resettable {
  readonly closed: boolean;
  close(code: number): void;
}

type WithStream = Metadata & { [RESET]?: Resettable };

/** Must be the first interceptor: only the first one is handed grpc-js's base call. Server streams only. */
export function rememberHttp2Streams(): ServerInterceptor {
  return stageInterceptor((descriptor, call) => {
    if (!descriptor.responseStream) return undefined;
    const stream = (call as { stream?: Partial<Resettable> }).stream;
    if (!stream || typeof stream.close !== 'function' || typeof stream.closed !== 'boolean') return undefined;
    return {
      onMetadata(metadata) {
        (metadata as WithStream)[RESET] = stream as Resettable;
        return true;
      },
    };
  });
}

/**
 * For OpenStreams' `cutOff`: RST_STREAM ENHANCE_YOUR_CALM (clients report RESOURCE_EXHAUSTED)
 * for a reader that fell behind, CANCEL otherwise. False when the stream is unknown or closed.
 */
export function resetHttp2Stream(call: { readonly metadata: Metadata }, why: CutOffReason): boolean {
  const stream = (call.metadata as WithStream)[RESET];
  if (!stream || stream.closed) return false;
  stream.close(why === 'slow_reader' ? constants.NGHTTP2_ENHANCE_YOUR_CALM : constants.NGHTTP2_CANCEL);
  return true;
}
