import type { AuthStore } from '../auth-store.js';
import { PgChangeFeed } from './change-feed.js';
import { PgKeyStore } from './key-store.js';
import { migratePostgres } from './migrations.js';
import { createPool } from './pool.js';
import { PgRevocationStore } from './revocation-store.js';
import { PgServiceClientStore } from './service-client-store.js';
import { PgSessionStore } from './session-store.js';
import { PgUserStore } from './user-store.js';

/** A PostgreSQL database shared by every auth-svc replica (migrated if needed). */
export async function openPostgresAuthStore(url: string, onError: (err: Error) => void): Promise<AuthStore> {
  const pool = createPool(url, onError);
  try {
    await migratePostgres(pool);
  } catch (err) {
    await pool.end().catch(() => {});
    throw err;
  }
  const changes = new PgChangeFeed(url, onError);
  return {
    backend: 'postgres',
    users: new PgUserStore(pool),
    keys: new PgKeyStore(pool),
    sessions: new PgSessionStore(pool),
    revocations: new PgRevocationStore(pool),
    serviceClients: new PgServiceClientStore(pool),
    changes,
    close: async () => {
      await changes.close();
      await pool.end();
    },
  };
}
