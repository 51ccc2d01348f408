import type { ChangeFeed as GenericChangeFeed } from '../../lib/changes/change-feed.js';
import type { KeyStore } from './key-store.js';
import type { RevocationStore } from './revocation-store.js';
import type { ServiceClientStore } from './service-client-store.js';
import type { SessionStore } from './session-store.js';
import type { ThrottleStore } from './throttle-store.js';
import type { UserStore } from './user-store.js';

/** What other writers (replicas, admin commands) announce: a revocation row, a key change. */
export type ChangeChannel = 'revocations' | 'keys_changed';

export { followChanges } from '../../lib/changes/change-feed.js';

/** Pushes from other writers on auth-svc's channels (PostgreSQL LISTEN). */
export type ChangeFeed = GenericChangeFeed<ChangeChannel>;

/** Everything auth-svc keeps, behind one backend (SQLite file or PostgreSQL). */
export interface AuthStore {
  readonly backend: 'sqlite' | 'postgres';
  readonly users: UserStore;
  readonly keys: KeyStore;
  readonly sessions: SessionStore;
  readonly revocations: RevocationStore;
  readonly serviceClients: ServiceClientStore;
  /** Brute-force throttle states, shared by every process on this store. */
  readonly throttles: ThrottleStore;
  /** Undefined when the backend cannot push (SQLite): readers poll instead. */
  readonly changes: ChangeFeed | undefined;
  close(): Promise<void>;
}
