import { Metadata, status, type ServerWritableStream } from '@grpc/grpc-js';
import { REFUSAL_REASON_KEY } from '@grpc-token-auth/sdk';
import { KeyedSlots, resetHttp2Stream, type Principal } from '@grpc-token-auth/server-kit';
import { addToKeyedSet } from '../collections/keyed-sets.js';
import { GrpcError } from './errors.js';
import { BacklogBudget } from './limits/backlog-budget.js';

export interface LiveStreamLimits {
  /** Streams open at once in this process, and per principal (user or service client). */
  readonly maxLiveStreams: number;
  readonly maxLiveStreamsPerPrincipal: number;
  /**
   * … per service client: every worker and replica of a service shares one client and holds a
   * revocation stream, so a fleet needs more than a user's devices do.
   */
  readonly maxLiveStreamsPerService: number;
  /** Bytes one stream may have written but not yet sent before its reader is cut off … */
  readonly maxStreamBacklogBytes: number;
  /** … and all streams of the process together. */
  readonly maxTotalBacklogBytes: number;
}

type Ender = (err: GrpcError) => void;

/**
 * The long-lived streams of one server: capped in number (in all and per principal), indexed
 * by session so a revocation ends them, and ended together at shutdown.
 */
export class OpenStreams {
  readonly budget: BacklogBudget;
  private readonly enders = new Set<Ender>();
  private readonly slots: KeyedSlots;
  private readonly bySession = new Map<string, Set<Ender>>();

  constructor(readonly limits: LiveStreamLimits) {
    this.budget = new BacklogBudget(limits.maxTotalBacklogBytes);
    this.slots = new KeyedSlots(limits.maxLiveStreams, limits.maxLiveStreamsPerPrincipal);
  }

  /** Registers a stream that `end` ends; returns its release, or the refusal when a cap is reached. */
  open(principal: Principal, end: Ender): (() => void) | GrpcError {
    const who = `${principal.kind}:${principal.subject}`;
    const cap = principal.kind === 'service' ? this.limits.maxLiveStreamsPerService : this.limits.maxLiveStreamsPerPrincipal;
    const verdict = this.slots.tryAcquire(who, cap);
    if (verdict === 'total') return new GrpcError(status.RESOURCE_EXHAUSTED, 'server has too many open streams; retry later');
    if (verdict === 'key') return new GrpcError(status.RESOURCE_EXHAUSTED, `at most ${cap} open streams per caller; close one first`);
    this.enders.add(end);
    const sid = principal.sessionId;
    const unindex = sid === undefined ? undefined : addToKeyedSet(this.bySession, sid, end);
    return () => {
      this.enders.delete(end);
      this.slots.release(who);
      unindex?.();
    };
  }

  /** A session was revoked: its streams end with UNAUTHENTICATED now, not when the token expires. */
  endSession(sessionId: string): void {
    const set = this.bySession.get(sessionId);
    if (!set) return;
    // The reason trailer is the interceptor's: the SDK's Session ends itself on it, like on a refused call.
    const revoked = () => new GrpcError(status.UNAUTHENTICATED, 'session has been revoked; sign in again', { [REFUSAL_REASON_KEY]: 'revoked' });
    for (const end of [...set]) end(revoked());
  }

  /** Ends every open stream with UNAVAILABLE (server shutdown). */
  closeAll(): void {
    for (const end of [...this.enders]) end(new GrpcError(status.UNAVAILABLE, 'server is shutting down; reconnect'));
  }

  get size(): number {
    return this.enders.size;
  }
}

/** A ts-proto message type: how many bytes a message takes on the wire is measured with it. */
export interface MessageEncoder<Res> {
  encode(message: Res): { finish(): Uint8Array };
}

export interface LiveStreamOptions<Res> {
  readonly principal: Principal;
  readonly streams: OpenStreams;
  readonly messageType: MessageEncoder<Res>;
  /** Overrides the per-stream backlog cap (for streams whose messages are large by nature). */
  readonly maxBacklogBytes?: number;
  /** Starts feeding the stream through `send`; returns what stops the feed. */
  readonly attach: (send: (message: Res) => void) => () => void;
}

/**
 * What a queued message holds besides its encoded bytes: grpc-js's writable stream keeps it as
 * the message object (strings, Dates, the objects around them) with a buffer entry and our write
 * callback. Measured with 16 readers that never read, ~300-byte note changes: ~770 bytes of RSS
 * per queued message, so counting only the encoded bytes let a slow reader hold ~2.5× its budget.
 * (Text that V8 keeps as two-byte strings can take up to twice its UTF-8 size on top of this.)
 */
export const QUEUED_MESSAGE_OVERHEAD_BYTES = 512;

/** After ending a stream politely, how long its client has to take the status before it is reset. */
const END_GRACE_MS = 2000;

/**
 * The life of a server stream that pushes events until something ends it: the client
 * cancels (OK), its session is revoked or the token it was opened with expires
 * (UNAUTHENTICATED: streams are authenticated once, so they must not outlive their
 * credential), the client reads too slowly (RESOURCE_EXHAUSTED), or the server shuts down
 * (UNAVAILABLE). Resolves or rejects with a GrpcError when it ends, for `serverStream`.
 *
 * A slow reader is measured in what its messages written but not yet taken by the HTTP/2 layer
 * hold: encoded bytes plus QUEUED_MESSAGE_OVERHEAD_BYTES each (grpc-js server streams are
 * object-mode, so their own counters count messages). When it
 * falls behind, the stream is reset (RST_STREAM ENHANCE_YOUR_CALM, which clients report as
 * RESOURCE_EXHAUSTED) so that what it buffered is freed at once.
 */
export function liveStream<Req, Res>(call: ServerWritableStream<Req, Res>, opts: LiveStreamOptions<Res>): Promise<void> {
  return new Promise<void>((resolve, reject) => {
    const maxBacklog = opts.maxBacklogBytes ?? opts.streams.limits.maxStreamBacklogBytes;
    const budget = opts.streams.budget;
    let done = false;
    let pending = 0;
    let detach: (() => void) | undefined;
    let release: (() => void) | undefined;
    const finish = (err?: GrpcError, slowReader = false) => {
      if (done) return;
      done = true;
      detach?.();
      release?.();
      clearTimeout(expiry);
      budget.give(pending);
      pending = 0;
      if (err) reject(err);
      else resolve();
      // Its trailers would wait behind the unsent messages forever: reset now, freeing them.
      if (slowReader) resetHttp2Stream(call.metadata, 'slow_reader');
      else setTimeout(() => resetHttp2Stream(call.metadata, 'cancel'), END_GRACE_MS).unref();
    };
    const slot = opts.streams.open(opts.principal, (err) => finish(err));
    if (slot instanceof GrpcError) {
      done = true;
      reject(slot);
      return;
    }
    release = slot;
    const expiry = setTimeout(
      () => finish(new GrpcError(status.UNAUTHENTICATED, 'access token expired; reopen the stream with a fresh token')),
      Math.max(0, opts.principal.expiresAt * 1000 - Date.now()),
    );
    call.on('cancelled', () => finish());
    // Headers tell the client the subscription is in place.
    call.sendMetadata(new Metadata());
    detach = opts.attach((message) => {
      if (done) return;
      const bytes = opts.messageType.encode(message).finish().byteLength + QUEUED_MESSAGE_OVERHEAD_BYTES;
      // One message always fits an empty backlog; behind that, the caps apply.
      if ((pending > 0 && pending + bytes > maxBacklog) || !budget.tryTake(bytes)) {
        finish(new GrpcError(status.RESOURCE_EXHAUSTED, 'stream reader is not keeping up; reopen the stream'), true);
        return;
      }
      pending += bytes;
      call.write(message, () => {
        if (done) return; // already given back at finish
        pending -= bytes;
        budget.give(bytes);
      });
    });
    if (done) detach();
  });
}
