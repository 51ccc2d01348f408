import type { RevokedSessionEntry } from '@grpc-token-auth/server-kit';
import { coalesced } from '../../lib/async/coalesced-run.js';
import { followChanges, type ChangeFeed } from '../store/auth-store.js';
import type { RevocationStore } from '../store/revocation-store.js';

export type RevocationListener = (revoked: readonly RevokedSessionEntry[]) => void;

/** How often rows written by other processes are looked for when nothing pushes them (SQLite). */
const POLL_INTERVAL_MS = 250;
/** With a change feed (PostgreSQL LISTEN), polling is only a safety net. */
const SAFETY_POLL_INTERVAL_MS = 5_000;

/**
 * Records revoked session ids and pushes them to subscribers (RevocationService
 * streams, auth-svc's own verifier). Everything is published from the database, in
 * `seq` order: this process's revocations at once, other processes' (admin commands,
 * other replicas) when the change feed says so or within a poll interval. Each id is
 * remembered until every token of its session has expired: `tokenLifetimeMs` is the
 * longest token lifetime plus clock skew.
 */
export class Revoker {
  private readonly listeners = new Set<RevocationListener>();
  private unwatch: (() => void) | undefined;
  /** One read at a time, so no row is published twice and none out of order. */
  readonly publishNew = coalesced(() => this.readNew());

  private constructor(
    private readonly store: RevocationStore,
    private readonly tokenLifetimeMs: number,
    private readonly now: () => number,
    private lastSeq: number,
  ) {}

  /** Older rows reach subscribers through snapshots, so publishing starts after the newest. */
  static async open(store: RevocationStore, tokenLifetimeMs: number, now: () => number = Date.now): Promise<Revoker> {
    return new Revoker(store, tokenLifetimeMs, now, await store.lastSeq());
  }

  /** Resolves once the revocations are stored and published to this process's subscribers. */
  async revoke(sessionIds: readonly string[]): Promise<void> {
    if (sessionIds.length === 0) return;
    const now = this.now();
    for (const sessionId of sessionIds) await this.store.add({ sessionId, forgetAfter: now + this.tokenLifetimeMs }, now);
    await this.publishNew();
  }

  /** Starts picking up revocations made by other processes; `onError` hears failed reads (retried). */
  watchOtherWriters(changes: ChangeFeed | undefined, onError: (err: Error) => void): void {
    this.unwatch = followChanges(changes, 'revocations', changes ? SAFETY_POLL_INTERVAL_MS : POLL_INTERVAL_MS, this.publishNew, onError);
  }

  stop(): void {
    this.unwatch?.();
  }

  /** What a (re)connecting verifier must know. */
  snapshot(): Promise<RevokedSessionEntry[]> {
    return this.store.active(this.now());
  }

  subscribe(listener: RevocationListener): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  purgeForgotten(): Promise<number> {
    return this.store.purgeForgotten(this.now());
  }

  private async readNew(): Promise<void> {
    const { entries, lastSeq } = await this.store.since(this.lastSeq);
    this.lastSeq = lastSeq;
    if (entries.length === 0) return;
    for (const listener of this.listeners) listener(entries);
  }
}
