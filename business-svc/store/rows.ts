import type { ChangeKind, Note, NoteChange, NotePage } from './note-store.js';

/**
 * Rows as both backends return them (same tables and column names), and their mapping to
 * the store types: one place, so SQLite and PostgreSQL cannot drift apart.
 */
export interface NoteRow {
  seq: number;
  id: string;
  owner_id: string;
  title: string;
  body: string;
  created_at: number;
  updated_at: number;
  version: number;
  /** Accounted size (write-quota.ts rowBytes), kept so the owner's bytes can be given back exactly. */
  bytes: number;
}

/** A change-log row: the note's columns as of the change, `note_id` for its id. */
export interface ChangeRow extends Omit<NoteRow, 'id'> {
  note_id: string;
  kind: ChangeKind;
}

/** The change log's one row of bookkeeping, read with every batch. */
export interface LogBoundsRow {
  high: number;
  purged_through: number;
}

export function toNote(r: Omit<NoteRow, 'seq'>): Note {
  return {
    id: r.id,
    ownerId: r.owner_id,
    title: r.title,
    body: r.body,
    createdAt: r.created_at,
    updatedAt: r.updated_at,
    version: r.version,
  };
}

export function toChange(r: ChangeRow): NoteChange {
  return { seq: r.seq, kind: r.kind, note: toNote({ ...r, id: r.note_id }) };
}

/** A page from up to `pageSize + 1` rows, newest first: the extra row only says that another page exists. */
export function toPage(rows: readonly NoteRow[], pageSize: number): NotePage {
  const page = rows.slice(0, pageSize);
  const last = page[page.length - 1];
  return { notes: page.map(toNote), next: rows.length > pageSize && last ? { seq: last.seq } : undefined };
}

/** What a read of at most `limit` changes up to `bounds.high` tells its reader. */
export function toBatch(rows: readonly ChangeRow[], limit: number, bounds: LogBoundsRow) {
  const last = rows[rows.length - 1];
  return {
    changes: rows.map(toChange),
    // A full batch may have left some out: the next read starts after its last row.
    position: rows.length === limit && last ? last.seq : bounds.high,
    purgedThrough: bounds.purged_through,
  };
}

/** The change-log columns of one change, in insert order. */
export function changeValues(kind: ChangeKind, note: Note, changedAt: number, bytes: number): unknown[] {
  return [note.ownerId, kind, note.id, note.title, note.body, note.createdAt, note.updatedAt, note.version, changedAt, bytes];
}

export const CHANGE_COLUMNS = 'owner_id, kind, note_id, title, body, created_at, updated_at, version, changed_at, bytes';

/** The owner's bookkeeping row as both backends return it. */
export interface UsageRow {
  note_count: number;
  stored_bytes: number;
  write_tat: number;
}

/** A note's sizes, read before an update: what it is charged now, and its parts. */
export interface NoteSizeRow {
  version: number;
  bytes: number;
  title_bytes: number;
  body_bytes: number;
}

/** Reads a note's sizes (same SQL text on both backends, `?`/`$n` placeholders aside). */
export const NOTE_SIZE_COLUMNS = 'version, bytes, octet_length(title) AS title_bytes, octet_length(body) AS body_bytes';
