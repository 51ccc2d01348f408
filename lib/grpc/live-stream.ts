import { Metadata, status, type ServerWritableStream } from '@grpc/grpc-js';
import type { Principal } from '@grpc-token-auth/server-kit';
import { GrpcError } from './errors.js';

/** Open long-lived streams of one server, so shutdown can end them instead of waiting on them. */
export class OpenStreams {
  private readonly closers = new Set<() => void>();

  add(close: () => void): () => void {
    this.closers.add(close);
    return () => this.closers.delete(close);
  }

  /** Ends every open stream with UNAVAILABLE (server shutdown). */
  closeAll(): void {
    for (const close of [...this.closers]) close();
  }

  get size(): number {
    return this.closers.size;
  }
}

export interface LiveStreamOptions<Res> {
  readonly principal: Principal;
  readonly streams: OpenStreams;
  /** A client this far behind (bytes buffered) is cut off rather than buffered without bound. */
  readonly maxBacklogBytes: number;
  /** Starts feeding the stream through `send`; returns what stops the feed. */
  readonly attach: (send: (message: Res) => void) => () => void;
}

/**
 * The life of a server stream that pushes events until something ends it: the client
 * cancels (OK), the token it was opened with expires (UNAUTHENTICATED: streams are
 * authenticated once, so they must not outlive their credential), the client reads too
 * slowly (RESOURCE_EXHAUSTED), or the server shuts down (UNAVAILABLE). Resolves or
 * rejects with a GrpcError when it ends, for the `serverStream` adapter.
 */
export function liveStream<Req, Res>(call: ServerWritableStream<Req, Res>, opts: LiveStreamOptions<Res>): Promise<void> {
  return new Promise<void>((resolve, reject) => {
    let done = false;
    let detach: (() => void) | undefined;
    const finish = (err?: GrpcError) => {
      if (done) return;
      done = true;
      detach?.();
      unregister();
      clearTimeout(expiry);
      if (err) reject(err);
      else resolve();
    };
    const unregister = opts.streams.add(() => finish(new GrpcError(status.UNAVAILABLE, 'server is shutting down; reconnect')));
    const expiry = setTimeout(
      () => finish(new GrpcError(status.UNAUTHENTICATED, 'access token expired; reopen the stream with a fresh token')),
      Math.max(0, opts.principal.expiresAt * 1000 - Date.now()),
    );
    call.on('cancelled', () => finish());
    // Headers tell the client the subscription is in place.
    call.sendMetadata(new Metadata());
    detach = opts.attach((message) => {
      if (done) return;
      if (call.writableLength > opts.maxBacklogBytes) {
        finish(new GrpcError(status.RESOURCE_EXHAUSTED, 'stream reader is not keeping up'));
        return;
      }
      call.write(message);
    });
    if (done) detach();
  });
}
