import type { Metadata } from '@grpc/grpc-js';
import { constants } from 'node:http2';

/**
 * A server stream whose client stopped reading cannot be ended politely: its trailers queue
 * behind the unsent messages, and grpc-js keeps all of it in memory. Resetting the HTTP/2
 * stream is the only way to free it, and grpc-js exposes no such call, so the interceptor
 * files the raw stream (a field of grpc-js's base call, pinned version, covered by tests)
 * on the call's metadata for the handler side, like the principal.
 */
const RESET = Symbol('stream reset');

interface Resettable {
  readonly closed: boolean;
  close(code: number): void;
}

type WithReset = Metadata & { [RESET]?: Resettable };

/** Called by the interceptor for server-streaming methods with grpc-js's base call. */
export function rememberHttp2Stream(metadata: Metadata, baseCall: unknown): void {
  const stream = (baseCall as { stream?: Partial<Resettable> }).stream;
  if (stream && typeof stream.close === 'function' && typeof stream.closed === 'boolean') {
    (metadata as WithReset)[RESET] = stream as Resettable;
  }
}

/**
 * RST_STREAM: ENHANCE_YOUR_CALM (clients report RESOURCE_EXHAUSTED) for a reader that fell
 * behind, CANCEL otherwise. Returns false when the stream is unknown or already closed.
 */
export function resetHttp2Stream(metadata: Metadata, why: 'slow_reader' | 'cancel'): boolean {
  const stream = (metadata as WithReset)[RESET];
  if (!stream || stream.closed) return false;
  stream.close(why === 'slow_reader' ? constants.NGHTTP2_ENHANCE_YOUR_CALM : constants.NGHTTP2_CANCEL);
  return true;
}
