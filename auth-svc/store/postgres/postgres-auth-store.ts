import type { AuthStore, ChangeChannel } from '../auth-store.js';
import { PgChangeFeed } from '../../../lib/postgres/change-feed.js';
import { openMigratedPool } from '../../../lib/postgres/migrate.js';
import type { FindingListener } from '../../../lib/sqlite/database.js';
import { PgKeyStore } from './key-store.js';
import { PG_AUTH_MIGRATIONS } from './migrations.js';
import { PgRevocationStore } from './revocation-store.js';
import { PgServiceClientStore } from './service-client-store.js';
import { PgSessionStore } from './session-store.js';
import { PgThrottleStore } from './throttle-store.js';
import { PgUserStore } from './user-store.js';

/** A PostgreSQL database shared by every auth-svc replica (migrated if needed). */
export async function openPostgresAuthStore(url: string, onError: (err: Error) => void, onFinding?: FindingListener): Promise<AuthStore> {
  const pool = await openMigratedPool(url, PG_AUTH_MIGRATIONS, onError, onFinding);
  const changes = new PgChangeFeed<ChangeChannel>(url, ['revocations', 'keys_changed'], onError);
  return {
    backend: 'postgres',
    users: new PgUserStore(pool),
    keys: new PgKeyStore(pool),
    sessions: new PgSessionStore(pool),
    revocations: new PgRevocationStore(pool),
    serviceClients: new PgServiceClientStore(pool),
    throttles: new PgThrottleStore(pool),
    changes,
    close: async () => {
      await changes.close();
      await pool.end();
    },
  };
}
