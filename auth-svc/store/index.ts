import type { AuthStore } from './auth-store.js';
import { openSqliteAuthStore } from './sqlite/sqlite-auth-store.js';

export type { AuthStore, ChangeChannel, ChangeFeed } from './auth-store.js';

export interface StoreLocation {
  /** SQLite file, used when `databaseUrl` is undefined. */
  readonly dbPath: string;
  /** postgres://… : a PostgreSQL database shared by every replica. */
  readonly databaseUrl: string | undefined;
}

/**
 * Opens auth-svc's store (applying pending migrations): PostgreSQL when a URL is
 * configured, else the SQLite file. `onError` hears errors that belong to no call
 * (a dropped idle connection, the change feed reconnecting).
 */
export async function openAuthStore(where: StoreLocation, onError: (err: Error) => void = () => {}): Promise<AuthStore> {
  if (!where.databaseUrl) return openSqliteAuthStore(where.dbPath);
  // Loaded only for PostgreSQL: the driver is ~1.3 MB of heap that every mark-compact would walk.
  const { openPostgresAuthStore } = await import('./postgres/postgres-auth-store.js');
  return openPostgresAuthStore(where.databaseUrl, onError);
}
