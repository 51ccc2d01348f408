import { openDatabase, type FindingListener } from '../../../lib/sqlite/database.js';
import type { AuthStore } from '../auth-store.js';
import { SqliteKeyStore } from './key-store.js';
import { AUTH_MIGRATIONS } from './migrations.js';
import { SqliteRevocationStore } from './revocation-store.js';
import { SqliteServiceClientStore } from './service-client-store.js';
import { SqliteSessionStore } from './session-store.js';
import { SqliteThrottleStore } from './throttle-store.js';
import { SqliteUserStore } from './user-store.js';

/** The embedded default: one SQLite file (created and migrated if needed). */
export function openSqliteAuthStore(path: string, onFinding?: FindingListener): AuthStore {
  const db = openDatabase(path, AUTH_MIGRATIONS, onFinding);
  return {
    backend: 'sqlite',
    users: new SqliteUserStore(db),
    keys: new SqliteKeyStore(db),
    sessions: new SqliteSessionStore(db),
    revocations: new SqliteRevocationStore(db),
    serviceClients: new SqliteServiceClientStore(db),
    throttles: new SqliteThrottleStore(db),
    changes: undefined,
    close: async () => void db.close(),
  };
}
