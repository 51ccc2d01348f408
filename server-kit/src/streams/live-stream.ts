import { Metadata, status, type ServerWritableStream } from '@grpc/grpc-js';
import { REFUSAL_REASON_KEY } from '@grpc-token-auth/sdk';
import { callFacts } from '../call-facts.js';
import { KeyedSlots } from '../limits/keyed-slots.js';
import type { Principal } from '../principal.js';
import { ServerError } from '../server-error.js';
import { BacklogBudget } from './backlog-budget.js';
import { sendStatusNow } from './stream-control.js';

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

/**
 * Why a stream is being cut off without waiting for its reader: `slow_reader` (it fell behind
 * its backlog budget) or `cancel` (it was ended politely but did not take its status in time).
 */
export type CutOffReason = 'slow_reader' | 'cancel';

export interface OpenStreamsOptions {
  /**
   * A harder cut-off than the kit's own (which sends the status past the queued messages, drops
   * them, and leaves the HTTP/2 stream to the client): return true when it cut the call off
   * itself, e.g. with an HTTP/2 RST_STREAM.
   */
  readonly cutOff?: ((call: { readonly metadata: Metadata }, why: CutOffReason) => boolean) | undefined;
}

type Ender = (err: ServerError) => void;

/**
 * The long-lived streams of one server: capped in number (in all and per principal), indexed
 * by session so a revocation ends them (`endSession`), and ended together at shutdown (`closeAll`).
 */
export class OpenStreams {
  readonly budget: BacklogBudget;
  private readonly enders = new Set<Ender>();
  private readonly slots: KeyedSlots;
  private readonly bySession = new Map<string, Set<Ender>>();

  constructor(
    readonly limits: LiveStreamLimits,
    readonly options: OpenStreamsOptions = {},
  ) {
    this.budget = new BacklogBudget(limits.maxTotalBacklogBytes);
    this.slots = new KeyedSlots(limits.maxLiveStreams, limits.maxLiveStreamsPerPrincipal);
  }

  /** Registers a stream that `end` ends; returns its release, or the refusal when a cap is reached. */
  open(principal: Principal, end: Ender): (() => void) | ServerError {
    const who = `${principal.kind}:${principal.subject}`;
    const cap = principal.kind === 'service' ? this.limits.maxLiveStreamsPerService : this.limits.maxLiveStreamsPerPrincipal;
    const verdict = this.slots.tryAcquire(who, cap);
    if (verdict === 'total') return new ServerError(status.RESOURCE_EXHAUSTED, 'server has too many open streams; retry later');
    if (verdict === 'key') return new ServerError(status.RESOURCE_EXHAUSTED, `at most ${cap} open streams per caller; close one first`);
    this.enders.add(end);
    const sid = principal.sessionId;
    let session: Set<Ender> | undefined;
    if (sid !== undefined) {
      session = this.bySession.get(sid) ?? new Set();
      this.bySession.set(sid, session.add(end));
    }
    return () => {
      this.enders.delete(end);
      this.slots.release(who);
      if (sid === undefined || !session) return;
      session.delete(end);
      if (session.size === 0 && this.bySession.get(sid) === session) this.bySession.delete(sid);
    };
  }

  /** A session was revoked: its streams end with UNAUTHENTICATED now, not when the token expires. */
  endSession(sessionId: string): void {
    const set = this.bySession.get(sessionId);
    if (!set) return;
    // The same reason trailer as the authentication interceptor's: the SDK's Session ends itself on it, like on a refused call.
    const revoked = () => new ServerError(status.UNAUTHENTICATED, 'session has been revoked; sign in again', { [REFUSAL_REASON_KEY]: 'revoked' });
    for (const end of [...set]) end(revoked());
  }

  /** Ends every open stream with UNAVAILABLE (server shutdown). */
  closeAll(): void {
    for (const end of [...this.enders]) end(new ServerError(status.UNAVAILABLE, 'server is shutting down; reconnect'));
  }

  get size(): number {
    return this.enders.size;
  }
}

/** A message type that can say how many bytes a message takes on the wire (ts-proto's `encode(m).finish()`). */
export interface MessageEncoder<Res> {
  encode(message: Res): { finish(): Uint8Array };
}

export interface LiveStreamOptions<Res> {
  readonly principal: Principal;
  readonly streams: OpenStreams;
  readonly messageType: MessageEncoder<Res>;
  /** Overrides the per-stream backlog cap (for streams whose messages are large by nature). */
  readonly maxBacklogBytes?: number | undefined;
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

/** After ending a stream politely, how long its client has to take the status before it is cut off. */
const END_GRACE_MS = 2000;

/**
 * The life of a server stream that pushes events until something ends it: the client
 * cancels (OK), its session is revoked or the token it was opened with expires
 * (UNAUTHENTICATED: streams are authenticated once, so they must not outlive their
 * credential), the client reads too slowly (RESOURCE_EXHAUSTED), or the server shuts down
 * (UNAVAILABLE). Resolves, or rejects with a ServerError, when it ends: return it from a
 * `serverStream` handler.
 *
 * A slow reader is measured in what its messages written but not yet taken by the HTTP/2 layer
 * hold: encoded bytes plus QUEUED_MESSAGE_OVERHEAD_BYTES each (grpc-js server streams are
 * object-mode, so their own counters count messages). When it falls behind, its queued messages
 * are dropped at once and its status is sent past them (with `liveStreamInterceptor()` on the
 * server; without it the status waits behind the queue).
 */
export function liveStream<Req, Res>(call: ServerWritableStream<Req, Res>, opts: LiveStreamOptions<Res>): Promise<void> {
  return new Promise<void>((resolve, reject) => {
    const maxBacklog = opts.maxBacklogBytes ?? opts.streams.limits.maxStreamBacklogBytes;
    const { budget } = opts.streams;
    let done = false;
    let pending = 0;
    let detach: (() => void) | undefined;
    let release: (() => void) | undefined;
    const finish = (err?: ServerError, slowReader = false) => {
      if (done) return;
      done = true;
      detach?.();
      release?.();
      clearTimeout(expiry);
      budget.give(pending);
      pending = 0;
      if (slowReader) cutOff(call, opts.streams, 'slow_reader', err!);
      else setTimeout(() => cutOff(call, opts.streams, 'cancel', err ?? new ServerError(status.OK, 'OK')), END_GRACE_MS).unref();
      if (err) reject(err);
      else resolve();
    };
    const slot = opts.streams.open(opts.principal, (err) => finish(err));
    if (slot instanceof ServerError) {
      done = true;
      reject(slot);
      return;
    }
    release = slot;
    const expiry = setTimeout(
      () => finish(new ServerError(status.UNAUTHENTICATED, 'access token expired; reopen the stream with a fresh token')),
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
        finish(new ServerError(status.RESOURCE_EXHAUSTED, 'stream reader is not keeping up; reopen the stream'), true);
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

/**
 * Ends a call whose reader is not taking what was sent: its status goes out past the queued
 * messages, which are dropped (grpc-js's own handling of a cancelled call: destroy the stream).
 */
function cutOff(call: ServerWritableStream<unknown, unknown>, streams: OpenStreams, why: CutOffReason, err: ServerError): void {
  if (call.cancelled || call.destroyed) return;
  // Observers see no status when the call is reset: what it stands for.
  callFacts(call.metadata).endedWith = why === 'slow_reader' ? status.RESOURCE_EXHAUSTED : status.CANCELLED;
  if (streams.options.cutOff?.(call, why)) return;
  if (sendStatusNow(call.metadata, err.toStatus())) call.destroy();
}
