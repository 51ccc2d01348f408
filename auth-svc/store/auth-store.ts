import type { KeyStore } from './key-store.js';
import type { RevocationStore } from './revocation-store.js';
import type { ServiceClientStore } from './service-client-store.js';
import type { SessionStore } from './session-store.js';
import type { UserStore } from './user-store.js';

/** What other writers (replicas, admin commands) announce: a revocation row, a key change. */
export type ChangeChannel = 'revocations' | 'keys_changed';

/**
 * Pushes "something changed" from other processes. Listeners re-read the tables (the
 * source of truth); a push only says when. After a lost connection every listener is
 * called once, since pushes may have been missed meanwhile.
 */
export interface ChangeFeed {
  subscribe(channel: ChangeChannel, listener: () => void): () => void;
}

/**
 * Runs `reread` whenever the feed reports a change on `channel` (PostgreSQL) and every
 * `pollMs` in any case (the only signal on SQLite; a safety net otherwise). Failed reads
 * go to `onError` and are retried at the next signal. Returns what stops it.
 */
export function followChanges(
  changes: ChangeFeed | undefined,
  channel: ChangeChannel,
  pollMs: number,
  reread: () => Promise<void>,
  onError: (err: Error) => void,
): () => void {
  const check = () => void reread().catch(onError);
  const unsubscribe = changes?.subscribe(channel, check);
  const timer = setInterval(check, pollMs);
  timer.unref();
  return () => {
    clearInterval(timer);
    unsubscribe?.();
  };
}

/** Everything auth-svc keeps, behind one backend (SQLite file or PostgreSQL). */
export interface AuthStore {
  readonly backend: 'sqlite' | 'postgres';
  readonly users: UserStore;
  readonly keys: KeyStore;
  readonly sessions: SessionStore;
  readonly revocations: RevocationStore;
  readonly serviceClients: ServiceClientStore;
  /** Undefined when the backend cannot push (SQLite): readers poll instead. */
  readonly changes: ChangeFeed | undefined;
  close(): Promise<void>;
}
