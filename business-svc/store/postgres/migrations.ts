import type { Migration } from '../../../lib/sqlite/database.js';

/**
 * The same tables and columns as the SQLite schema (business-svc/store/sqlite/migrations.ts),
 * with epoch-ms BIGINTs, plus a trigger that NOTIFYs every replica's listener whenever a
 * change is appended, by whichever process.
 */
export const PG_BUSINESS_MIGRATIONS: readonly Migration[] = [
  {
    version: 1,
    name: 'notes, note counts, change log',
    sql: `
      CREATE TABLE notes (
        seq        BIGSERIAL PRIMARY KEY, -- insertion order: a total order for "newest first" paging
        id         TEXT NOT NULL UNIQUE,
        owner_id   TEXT NOT NULL,
        title      TEXT NOT NULL,
        body       TEXT NOT NULL,
        created_at BIGINT NOT NULL, -- epoch ms
        updated_at BIGINT NOT NULL,
        version    INTEGER NOT NULL DEFAULT 1
      );
      CREATE INDEX notes_by_owner ON notes (owner_id, seq DESC);

      CREATE TABLE note_counts (
        owner_id   TEXT PRIMARY KEY,
        note_count INTEGER NOT NULL
      );

      -- Writers take turns appending (see PgNoteStore), so seqs become visible in order.
      CREATE TABLE note_changes (
        seq        BIGSERIAL PRIMARY KEY,
        owner_id   TEXT NOT NULL,
        kind       TEXT NOT NULL CHECK (kind IN ('created', 'updated', 'deleted')),
        note_id    TEXT NOT NULL,
        title      TEXT NOT NULL,
        body       TEXT NOT NULL,
        created_at BIGINT NOT NULL,
        updated_at BIGINT NOT NULL,
        version    INTEGER NOT NULL,
        changed_at BIGINT NOT NULL
      );
      CREATE INDEX note_changes_by_owner ON note_changes (owner_id, seq);
      CREATE FUNCTION notify_note_changes() RETURNS trigger LANGUAGE plpgsql AS $$
        BEGIN PERFORM pg_notify('note_changes', ''); RETURN NULL; END
      $$;
      CREATE TRIGGER note_changes_added AFTER INSERT ON note_changes
        FOR EACH STATEMENT EXECUTE FUNCTION notify_note_changes();

      CREATE TABLE note_change_log (
        singleton      BOOLEAN PRIMARY KEY DEFAULT TRUE CHECK (singleton),
        id             TEXT NOT NULL,
        purged_through BIGINT NOT NULL
      );
      INSERT INTO note_change_log (id, purged_through) VALUES (substr(md5(random()::text || clock_timestamp()::text), 1, 16), 0);
    `,
  },
];
