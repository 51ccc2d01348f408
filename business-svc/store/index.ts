import type { NoteStore } from './note-store.js';
import { openSqliteNoteStore } from './sqlite/sqlite-note-store.js';
import { DEFAULT_WRITE_QUOTA, type WriteQuota } from './write-quota.js';

export type { NoteStore } from './note-store.js';
export type { WriteQuota } from './write-quota.js';

export interface NoteStoreLocation {
  /** SQLite file, used when `databaseUrl` is undefined. */
  readonly dbPath: string;
  /** postgres://… : business-svc's own PostgreSQL database, shared by every replica. */
  readonly databaseUrl: string | undefined;
}

/**
 * Opens business-svc's store (applying pending migrations): PostgreSQL when a URL is
 * configured, else the SQLite file. `onError` hears errors that belong to no call
 * (a dropped idle connection, the change feed reconnecting).
 */
export async function openNoteStore(where: NoteStoreLocation, onError: (err: Error) => void = () => {}, quota: WriteQuota = DEFAULT_WRITE_QUOTA): Promise<NoteStore> {
  if (!where.databaseUrl) return openSqliteNoteStore(where.dbPath, quota);
  // Loaded only for PostgreSQL: the driver is ~1.3 MB of heap that every mark-compact would walk.
  const { openPostgresNoteStore } = await import('./postgres/pg-note-store.js');
  return openPostgresNoteStore(where.databaseUrl, onError, quota);
}
