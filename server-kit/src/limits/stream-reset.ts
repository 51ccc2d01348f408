import { status, type Metadata } from '@grpc/grpc-js';
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

interface Handle {
  readonly stream: Resettable;
  /** Tells the interceptor which status the reset stands for (logs, metrics): no status is sent. */
  readonly onReset: (code: status) => void;
}

type WithReset = Metadata & { [RESET]?: Handle };

/** Called by the interceptor for server-streaming methods with grpc-js's base call. */
export function rememberHttp2Stream(metadata: Metadata, baseCall: unknown, onReset: (code: status) => void): void {
  const stream = (baseCall as { stream?: Partial<Resettable> }).stream;
  if (stream && typeof stream.close === 'function' && typeof stream.closed === 'boolean') {
    (metadata as WithReset)[RESET] = { stream: stream as Resettable, onReset };
  }
}

/**
 * RST_STREAM: ENHANCE_YOUR_CALM (clients report RESOURCE_EXHAUSTED) for a reader that fell
 * behind, CANCEL otherwise. Returns false when the stream is unknown or already closed.
 */
export function resetHttp2Stream(metadata: Metadata, why: 'slow_reader' | 'cancel'): boolean {
  const handle = (metadata as WithReset)[RESET];
  if (!handle || handle.stream.closed) return false;
  const slow = why === 'slow_reader';
  handle.onReset(slow ? status.RESOURCE_EXHAUSTED : status.CANCELLED);
  handle.stream.close(slow ? constants.NGHTTP2_ENHANCE_YOUR_CALM : constants.NGHTTP2_CANCEL);
  return true;
}
