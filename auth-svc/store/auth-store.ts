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
