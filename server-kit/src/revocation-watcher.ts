import { Metadata } from '@grpc/grpc-js';
import type { RevocationClient, ServerStream } from '@grpc-token-auth/sdk';
import type { WatchRevocationsResponse } from '@grpc-token-auth/sdk/gen/auth/v1/revocation_service.js';
import type { RevocationList, RevokedSessionEntry } from './revocation-list.js';

export interface RevocationWatcherOptions {
  /** A RevocationService client whose calls carry a service token with `revocations.watch`. */
  readonly client: RevocationClient;
  readonly list: RevocationList;
  /** First and longest wait between reconnection attempts, ms (defaults 100 and 1000, jittered). */
  readonly minBackoffMs?: number | undefined;
  readonly maxBackoffMs?: number | undefined;
  readonly onConnected?: (() => void) | undefined;
  readonly onDisconnected?: ((err: unknown) => void) | undefined;
}

/**
 * Keeps a RevocationList in step with auth-svc: subscribes, applies the snapshot and
 * then each revocation as it is pushed, and reconnects with backoff whenever the stream
 * ends (auth-svc restart, token expiry, network). Every (re)connection starts with a
 * full snapshot, so nothing revoked while disconnected is missed. While disconnected the
 * last known set stays in force.
 */
export class RevocationWatcher {
  private call: ServerStream<WatchRevocationsResponse> | undefined;
  private retry: NodeJS.Timeout | undefined;
  private backoffMs: number;
  private stopped = false;
  private isConnected = false;
  private firstSnapshot!: () => void;
  private readonly synced = new Promise<void>((resolve) => (this.firstSnapshot = resolve));

  constructor(private readonly opts: RevocationWatcherOptions) {
    this.backoffMs = opts.minBackoffMs ?? 100;
  }

  /** Subscribes; resolves at the first snapshot or after `waitMs`, whichever is first. */
  async start(waitMs: number): Promise<boolean> {
    this.connect();
    let timer: NodeJS.Timeout | undefined;
    const timedOut = new Promise<false>((resolve) => (timer = setTimeout(() => resolve(false), waitMs)));
    const synced = await Promise.race([this.synced.then(() => true as const), timedOut]);
    clearTimeout(timer);
    return synced;
  }

  get connected(): boolean {
    return this.isConnected;
  }

  stop(): void {
    this.stopped = true;
    clearTimeout(this.retry);
    this.call?.cancel();
  }

  private connect(): void {
    if (this.stopped) return;
    // waitForReady: while auth-svc is down the call waits for the channel instead of failing, so
    // it starts the moment auth-svc answers again (with the channel's own reconnect backoff).
    const call = this.opts.client.watchRevocations({}, { metadata: new Metadata({ waitForReady: true }) });
    this.call = call;
    const onMessage = (msg: WatchRevocationsResponse) => {
      const entries = msg.revoked.map(toEntry);
      if (msg.snapshot) {
        this.opts.list.replace(entries);
        this.isConnected = true;
        this.backoffMs = this.opts.minBackoffMs ?? 100;
        this.opts.onConnected?.();
        this.firstSnapshot();
      } else {
        this.opts.list.add(entries);
      }
    };
    let ended = false;
    const onEnd = (err: unknown) => {
      if (ended) return;
      ended = true;
      this.isConnected = false;
      if (this.stopped) return;
      this.opts.onDisconnected?.(err);
      // Jittered, so a fleet of verifiers does not reconnect in lockstep.
      this.retry = setTimeout(() => this.connect(), this.backoffMs * (0.5 + Math.random() / 2));
      this.retry.unref();
      this.backoffMs = Math.min(this.backoffMs * 2, this.opts.maxBackoffMs ?? 1000);
    };
    void (async () => {
      for await (const msg of call) onMessage(msg);
    })().then(() => onEnd(new Error('revocation stream ended')), onEnd);
  }
}

function toEntry(r: { sessionId: string; forgetAfter: Date | undefined }): RevokedSessionEntry {
  return { sessionId: r.sessionId, forgetAfter: r.forgetAfter?.getTime() ?? 0 };
}
