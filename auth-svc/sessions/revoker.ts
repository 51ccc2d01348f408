import type { RevokedSessionEntry } from '../../lib/authn/revocation-list.js';
import type { RevocationStore } from '../store/revocation-store.js';

export type RevocationListener = (revoked: readonly RevokedSessionEntry[]) => void;

/** How often rows written by other processes (admin commands) are picked up. */
const POLL_INTERVAL_MS = 250;

/**
 * Records revoked session ids and pushes them to subscribers (RevocationService
 * streams, auth-svc's own verifier). Everything is published from the database, in
 * `seq` order: this process's revocations at once, other processes' within a poll
 * interval. Each id is remembered until every token of its session has expired:
 * `tokenLifetimeMs` is the longest token lifetime plus clock skew.
 */
export class Revoker {
  private readonly listeners = new Set<RevocationListener>();
  private lastSeq: number;
  private timer: NodeJS.Timeout | undefined;

  constructor(
    private readonly store: RevocationStore,
    private readonly tokenLifetimeMs: number,
    private readonly now: () => number = Date.now,
  ) {
    // Older rows reach subscribers through snapshots.
    this.lastSeq = store.lastSeq();
  }

  revoke(sessionIds: readonly string[]): void {
    const now = this.now();
    for (const sessionId of sessionIds) this.store.add({ sessionId, forgetAfter: now + this.tokenLifetimeMs }, now);
    this.publishNew();
  }

  /** Starts picking up revocations made by other processes. */
  watchOtherWriters(): void {
    this.timer = setInterval(() => this.publishNew(), POLL_INTERVAL_MS);
    this.timer.unref();
  }

  stop(): void {
    clearInterval(this.timer);
  }

  /** What a (re)connecting verifier must know. */
  snapshot(): RevokedSessionEntry[] {
    return this.store.active(this.now());
  }

  subscribe(listener: RevocationListener): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  purgeForgotten(): number {
    return this.store.purgeForgotten(this.now());
  }

  private publishNew(): void {
    const { entries, lastSeq } = this.store.since(this.lastSeq);
    this.lastSeq = lastSeq;
    if (entries.length === 0) return;
    for (const listener of this.listeners) listener(entries);
  }
}
