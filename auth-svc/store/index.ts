import type { Logger } from '../../lib/log/logger.js';
import type { FindingListener } from '../../lib/sqlite/database.js';
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
 * (a dropped idle connection, the change feed reconnecting); `onFinding` what a migration
 * reports (e.g. accounts kept apart when their emails became one address).
 */
export async function openAuthStore(where: StoreLocation, onError: (err: Error) => void = () => {}, onFinding?: FindingListener): Promise<AuthStore> {
  if (!where.databaseUrl) return openSqliteAuthStore(where.dbPath, onFinding);
  // Loaded only for PostgreSQL: the driver is ~1.3 MB of heap that every mark-compact would walk.
  const { openPostgresAuthStore } = await import('./postgres/postgres-auth-store.js');
  return openPostgresAuthStore(where.databaseUrl, onError, onFinding);
}

/** What a migration reports, as warnings an operator acts on. */
export function migrationFindings(log: Logger): FindingListener {
  return (f) => log.warn({ ...f.fields, migration: true }, f.message);
}
