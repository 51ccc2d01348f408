import type { AuthStore } from './auth-store.js';
import { openPostgresAuthStore } from './postgres/postgres-auth-store.js';
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
  return where.databaseUrl ? openPostgresAuthStore(where.databaseUrl, onError) : openSqliteAuthStore(where.dbPath);
}
