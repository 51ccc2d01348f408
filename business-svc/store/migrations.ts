import type { Migration } from '../../lib/sqlite/database.js';

/** business-svc keeps no users: notes are keyed by the token subject (owner_id). */
export const BUSINESS_MIGRATIONS: readonly Migration[] = [
  {
    version: 1,
    name: 'notes',
    sql: `
      CREATE TABLE notes (
        seq        INTEGER PRIMARY KEY, -- insertion order: a total order for "newest first" paging
        id         TEXT NOT NULL UNIQUE,
        owner_id   TEXT NOT NULL,
        title      TEXT NOT NULL,
        body       TEXT NOT NULL,
        created_at INTEGER NOT NULL, -- epoch ms
        updated_at INTEGER NOT NULL,
        version    INTEGER NOT NULL DEFAULT 1
      ) STRICT;
      -- serves ListNotes (newest first, keyset pagination) and the per-owner count
      CREATE INDEX notes_by_owner ON notes (owner_id, seq DESC);
    `,
  },
];
