import { randomUUID } from 'node:crypto';
import type { Db } from '../../lib/sqlite/database.js';
import type { NoteChanges } from './note-changes.js';

export interface Note {
  readonly id: string;
  readonly ownerId: string;
  readonly title: string;
  readonly body: string;
  readonly createdAt: number;
  readonly updatedAt: number;
  readonly version: number;
}

export interface NotePage {
  readonly notes: readonly Note[];
  /** Position after the last note, or undefined when there is no more. */
  readonly next: PageCursor | undefined;
}

/** Keyset position: notes inserted before `seq` (timestamps can tie; the sequence cannot). */
export interface PageCursor {
  readonly seq: number;
}

interface NoteRow {
  seq: number;
  id: string;
  owner_id: string;
  title: string;
  body: string;
  created_at: number;
  updated_at: number;
  version: number;
}

export type UpdateOutcome = { kind: 'updated'; note: Note } | { kind: 'not_found' } | { kind: 'version_mismatch'; current: number };

/**
 * All SQL about notes. Every statement filters by owner_id, so one user's id can
 * never reach another user's note.
 */
export class NoteStore {
  private readonly insert;
  private readonly selectOne;
  private readonly selectFirstPage;
  private readonly selectAfter;
  private readonly countByOwner;
  private readonly update;
  private readonly remove;

  constructor(
    db: Db,
    private readonly changes: NoteChanges,
  ) {
    this.insert = db.prepare(
      `INSERT INTO notes (id, owner_id, title, body, created_at, updated_at) VALUES (?, ?, ?, ?, ?, ?)`,
    );
    this.selectOne = db.prepare<[string, string], NoteRow>('SELECT * FROM notes WHERE id = ? AND owner_id = ?');
    this.selectFirstPage = db.prepare<[string, number], NoteRow>(
      'SELECT * FROM notes WHERE owner_id = ? ORDER BY seq DESC LIMIT ?',
    );
    this.selectAfter = db.prepare<[string, number, number], NoteRow>(
      'SELECT * FROM notes WHERE owner_id = ? AND seq < ? ORDER BY seq DESC LIMIT ?',
    );
    this.countByOwner = db.prepare<[string], { n: number }>('SELECT count(*) AS n FROM notes WHERE owner_id = ?');
    this.update = db.prepare<[string, string, number, string, string], NoteRow>(
      `UPDATE notes SET title = ?, body = ?, updated_at = ?, version = version + 1
       WHERE id = ? AND owner_id = ? RETURNING *`,
    );
    this.remove = db.prepare<[string, string], NoteRow>('DELETE FROM notes WHERE id = ? AND owner_id = ? RETURNING *');
  }

  count(ownerId: string): number {
    return this.countByOwner.get(ownerId)!.n;
  }

  create(ownerId: string, title: string, body: string, now = Date.now()): Note {
    const note: Note = { id: randomUUID(), ownerId, title, body, createdAt: now, updatedAt: now, version: 1 };
    this.insert.run(note.id, ownerId, title, body, now, now);
    this.changes.publish(ownerId, 'created', note);
    return note;
  }

  get(ownerId: string, id: string): Note | undefined {
    const row = this.selectOne.get(id, ownerId);
    return row && toNote(row);
  }

  list(ownerId: string, pageSize: number, after: PageCursor | undefined): NotePage {
    // One extra row tells whether another page exists.
    const rows = after ? this.selectAfter.all(ownerId, after.seq, pageSize + 1) : this.selectFirstPage.all(ownerId, pageSize + 1);
    const page = rows.slice(0, pageSize);
    const last = page[page.length - 1];
    return { notes: page.map(toNote), next: rows.length > pageSize && last ? { seq: last.seq } : undefined };
  }

  /** Partial update; with `expectedVersion`, only if the note is still at that version. */
  patch(
    ownerId: string,
    id: string,
    changes: { title?: string; body?: string; expectedVersion?: number },
    now = Date.now(),
  ): UpdateOutcome {
    const current = this.get(ownerId, id);
    if (!current) return { kind: 'not_found' };
    if (changes.expectedVersion !== undefined && changes.expectedVersion !== current.version) {
      return { kind: 'version_mismatch', current: current.version };
    }
    // better-sqlite3 is synchronous: nothing can run between the read above and this write.
    const row = this.update.get(changes.title ?? current.title, changes.body ?? current.body, now, id, ownerId)!;
    const note = toNote(row);
    this.changes.publish(ownerId, 'updated', note);
    return { kind: 'updated', note };
  }

  delete(ownerId: string, id: string): Note | undefined {
    const row = this.remove.get(id, ownerId);
    if (!row) return undefined;
    const note = toNote(row);
    this.changes.publish(ownerId, 'deleted', note);
    return note;
  }
}

function toNote(r: NoteRow): Note {
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
