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
  {
    version: 2,
    name: 'storage quota per owner',
    sql: `
      -- As in the SQLite schema (version 3): each row's accounted size, and per owner the bytes of
      -- its notes and retained changes and its write-rate state.
      ALTER TABLE notes ADD COLUMN bytes BIGINT NOT NULL DEFAULT 0;
      ALTER TABLE note_changes ADD COLUMN bytes BIGINT NOT NULL DEFAULT 0;
      UPDATE notes SET bytes = 256 + octet_length(owner_id) + octet_length(title) + octet_length(body);
      UPDATE note_changes SET bytes = 256 + octet_length(owner_id) + octet_length(title) + octet_length(body);
      ALTER TABLE note_counts ADD COLUMN stored_bytes BIGINT NOT NULL DEFAULT 0;
      ALTER TABLE note_counts ADD COLUMN write_tat DOUBLE PRECISION NOT NULL DEFAULT 0;
      INSERT INTO note_counts (owner_id, note_count) SELECT DISTINCT owner_id, 0 FROM note_changes
        ON CONFLICT (owner_id) DO NOTHING;
      UPDATE note_counts SET stored_bytes =
        coalesce((SELECT sum(bytes) FROM notes n WHERE n.owner_id = note_counts.owner_id), 0) +
        coalesce((SELECT sum(bytes) FROM note_changes c WHERE c.owner_id = note_counts.owner_id), 0);
    `,
  },
];
