import type { Migration } from '../../../lib/sqlite/database.js';

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
  {
    version: 2,
    name: 'note counts, change log',
    sql: `
      -- Notes per owner, kept with every create and delete: the per-user limit is checked
      -- and taken in one statement.
      CREATE TABLE note_counts (
        owner_id   TEXT PRIMARY KEY,
        note_count INTEGER NOT NULL
      ) STRICT;
      INSERT INTO note_counts (owner_id, note_count) SELECT owner_id, count(*) FROM notes GROUP BY owner_id;

      -- Every change, in commit order (SQLite has one writer at a time), with the note as it
      -- was right after it: what WatchNotes streams and replays. Purged after a retention period.
      CREATE TABLE note_changes (
        seq        INTEGER PRIMARY KEY AUTOINCREMENT, -- never reused: readers resume after the last seen
        owner_id   TEXT NOT NULL,
        kind       TEXT NOT NULL CHECK (kind IN ('created', 'updated', 'deleted')),
        note_id    TEXT NOT NULL,
        title      TEXT NOT NULL,
        body       TEXT NOT NULL,
        created_at INTEGER NOT NULL,
        updated_at INTEGER NOT NULL,
        version    INTEGER NOT NULL,
        changed_at INTEGER NOT NULL -- epoch ms, for the retention period
      ) STRICT;
      CREATE INDEX note_changes_by_owner ON note_changes (owner_id, seq);

      -- One row: this log's random id (resume tokens of another database are refused) and
      -- the highest seq purged (resuming from before it would miss changes).
      CREATE TABLE note_change_log (
        singleton      INTEGER PRIMARY KEY CHECK (singleton = 1),
        id             TEXT NOT NULL,
        purged_through INTEGER NOT NULL
      ) STRICT;
      INSERT INTO note_change_log (singleton, id, purged_through) VALUES (1, lower(hex(randomblob(8))), 0);
    `,
  },
  {
    version: 3,
    name: 'storage quota per owner',
    sql: `
      -- Each row's accounted size (business-svc/store/write-quota.ts: 256 + owner id + title + body
      -- in UTF-8 bytes), kept with the row so what is given back on delete or purge is what was taken.
      ALTER TABLE notes ADD COLUMN bytes INTEGER NOT NULL DEFAULT 0;
      ALTER TABLE note_changes ADD COLUMN bytes INTEGER NOT NULL DEFAULT 0;
      UPDATE notes SET bytes = 256 + octet_length(owner_id) + octet_length(title) + octet_length(body);
      UPDATE note_changes SET bytes = 256 + octet_length(owner_id) + octet_length(title) + octet_length(body);

      -- The owner's row now also holds the bytes of its notes and retained changes, and its
      -- write-rate state (GCRA: epoch ms at which its next write is on schedule).
      ALTER TABLE note_counts ADD COLUMN stored_bytes INTEGER NOT NULL DEFAULT 0;
      ALTER TABLE note_counts ADD COLUMN write_tat REAL NOT NULL DEFAULT 0;
      INSERT INTO note_counts (owner_id, note_count) SELECT DISTINCT owner_id, 0 FROM note_changes WHERE true
        ON CONFLICT (owner_id) DO NOTHING;
      UPDATE note_counts SET stored_bytes =
        coalesce((SELECT sum(bytes) FROM notes n WHERE n.owner_id = note_counts.owner_id), 0) +
        coalesce((SELECT sum(bytes) FROM note_changes c WHERE c.owner_id = note_counts.owner_id), 0);
    `,
  },
];
