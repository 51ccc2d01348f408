import type { NoteStore } from './note-store.js';
import { openPostgresNoteStore } from './postgres/pg-note-store.js';
import { openSqliteNoteStore } from './sqlite/sqlite-note-store.js';

export type { NoteStore } from './note-store.js';

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
export async function openNoteStore(where: NoteStoreLocation, onError: (err: Error) => void = () => {}): Promise<NoteStore> {
  return where.databaseUrl ? openPostgresNoteStore(where.databaseUrl, onError) : openSqliteNoteStore(where.dbPath);
}
