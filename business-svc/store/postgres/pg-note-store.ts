import { randomUUID } from 'node:crypto';
import { combinedFeed, type ChangeFeed } from '../../../lib/changes/change-feed.js';
import { ProcessChangeFeed } from '../../../lib/changes/process-change-feed.js';
import { PgChangeFeed } from '../../../lib/postgres/change-feed.js';
import { openMigratedPool } from '../../../lib/postgres/migrate.js';
import { withTransaction, type Pool, type PoolClient } from '../../../lib/postgres/pool.js';
import type { ChangeBatch, ChangeKind, ChangeLog, CreateOutcome, Note, NoteChannel, NotePage, NoteStore, OwnerNoteCount, PageCursor, UpdateOutcome } from '../note-store.js';
import { CHANGE_COLUMNS, changeValues, toBatch, toNote, toPage, type ChangeRow, type LogBoundsRow, type NoteRow } from '../rows.js';
import { PG_BUSINESS_MIGRATIONS } from './migrations.js';

/** A PostgreSQL database of business-svc's own, shared by every replica (migrated if needed). */
export async function openPostgresNoteStore(url: string, onError: (err: Error) => void): Promise<NoteStore> {
  const pool = await openMigratedPool(url, PG_BUSINESS_MIGRATIONS, onError);
  try {
    const { rows } = await pool.query<{ id: string }>('SELECT id FROM note_change_log');
    return new PgNoteStore(pool, new PgChangeLog(pool, rows[0]!.id), new PgChangeFeed<NoteChannel>(url, ['note_changes'], onError));
  } catch (err) {
    await pool.end().catch(() => {});
    throw err;
  }
}

/**
 * Held from a change's append until its commit. Sequence values are handed out before
 * commit, so two writers could otherwise commit seq n+1 before n, and a reader that resumed
 * after n+1 would never see n. Taking turns makes seqs visible in order; the cost is that
 * appends (not the rest of a write) are serialised across replicas, for the length of a commit.
 */
const APPEND_LOCK = 4_270_052;

/** All SQL about notes (PostgreSQL). Every append NOTIFYs `note_changes` (a trigger). */
class PgNoteStore implements NoteStore {
  readonly backend = 'postgres';
  readonly feed: ChangeFeed<NoteChannel>;
  /** This process's own writes, heard at once (and by sibling workers), without waiting for the NOTIFY. */
  private readonly own = new ProcessChangeFeed<NoteChannel>();

  constructor(
    private readonly pool: Pool,
    readonly changes: ChangeLog,
    private readonly listener: PgChangeFeed<NoteChannel>,
  ) {
    this.feed = combinedFeed(listener, this.own);
  }

  async create(ownerId: string, title: string, body: string, maxNotes: number, now = Date.now()): Promise<CreateOutcome> {
    const note: Note = { id: randomUUID(), ownerId, title, body, createdAt: now, updatedAt: now, version: 1 };
    const created = await withTransaction(this.pool, async (tx) => {
      // The owner's count row is locked until commit: concurrent creates (any replica) take turns here.
      const counted = await tx.query(
        `INSERT INTO note_counts (owner_id, note_count) VALUES ($1, 1)
         ON CONFLICT (owner_id) DO UPDATE SET note_count = note_counts.note_count + 1 WHERE note_counts.note_count < $2`,
        [ownerId, maxNotes],
      );
      if (counted.rowCount !== 1) return false;
      await tx.query('INSERT INTO notes (id, owner_id, title, body, created_at, updated_at) VALUES ($1, $2, $3, $4, $5, $6)', [
        note.id,
        ownerId,
        title,
        body,
        now,
        now,
      ]);
      await append(tx, 'created', note, now);
      return true;
    });
    if (!created) return { kind: 'limit_reached' };
    this.own.announce('note_changes');
    return { kind: 'created', note };
  }

  async get(ownerId: string, id: string): Promise<Note | undefined> {
    const { rows } = await this.pool.query<NoteRow>('SELECT * FROM notes WHERE id = $1 AND owner_id = $2', [id, ownerId]);
    return rows[0] && toNote(rows[0]);
  }

  async list(ownerId: string, pageSize: number, after: PageCursor | undefined): Promise<NotePage> {
    const { rows } = after
      ? await this.pool.query<NoteRow>('SELECT * FROM notes WHERE owner_id = $1 AND seq < $2 ORDER BY seq DESC LIMIT $3', [ownerId, after.seq, pageSize + 1])
      : await this.pool.query<NoteRow>('SELECT * FROM notes WHERE owner_id = $1 ORDER BY seq DESC LIMIT $2', [ownerId, pageSize + 1]);
    return toPage(rows, pageSize);
  }

  async countsByOwner(afterOwner: string | undefined, limit: number): Promise<OwnerNoteCount[]> {
    const { rows } = await this.pool.query<{ owner_id: string; note_count: number }>(
      'SELECT owner_id, note_count FROM note_counts WHERE owner_id > $1 AND note_count > 0 ORDER BY owner_id LIMIT $2',
      [afterOwner ?? '', limit],
    );
    return rows.map((r) => ({ ownerId: r.owner_id, count: Number(r.note_count) }));
  }

  /**
   * One conditional UPDATE decides: a concurrent update of the same note (any replica) waits
   * for the row lock, then re-checks the version against the committed row.
   */
  async patch(ownerId: string, id: string, c: { title?: string; body?: string; expectedVersion?: number }, now = Date.now()): Promise<UpdateOutcome> {
    const outcome = await withTransaction(this.pool, async (tx): Promise<UpdateOutcome> => {
      const { rows } = await tx.query<NoteRow>(
        `UPDATE notes SET title = coalesce($1, title), body = coalesce($2, body), updated_at = $3, version = version + 1
         WHERE id = $4 AND owner_id = $5 AND ($6::integer IS NULL OR version = $6) RETURNING *`,
        [c.title ?? null, c.body ?? null, now, id, ownerId, c.expectedVersion ?? null],
      );
      if (!rows[0]) {
        const current = await tx.query<{ version: number }>('SELECT version FROM notes WHERE id = $1 AND owner_id = $2', [id, ownerId]);
        return current.rows[0] ? { kind: 'version_mismatch', current: current.rows[0].version } : { kind: 'not_found' };
      }
      const note = toNote(rows[0]);
      await append(tx, 'updated', note, now);
      return { kind: 'updated', note };
    });
    if (outcome.kind === 'updated') this.own.announce('note_changes');
    return outcome;
  }

  async delete(ownerId: string, id: string, now = Date.now()): Promise<Note | undefined> {
    const note = await withTransaction(this.pool, async (tx) => {
      const { rows } = await tx.query<NoteRow>('DELETE FROM notes WHERE id = $1 AND owner_id = $2 RETURNING *', [id, ownerId]);
      if (!rows[0]) return undefined;
      await tx.query('UPDATE note_counts SET note_count = note_count - 1 WHERE owner_id = $1', [ownerId]);
      const deleted = toNote(rows[0]);
      await append(tx, 'deleted', deleted, now);
      return deleted;
    });
    if (note) this.own.announce('note_changes');
    return note;
  }

  async close(): Promise<void> {
    this.own.close();
    await this.listener.close();
    await this.pool.end();
  }
}

/** Last statement of every write transaction: the lock is held only until the commit that follows. */
async function append(tx: PoolClient, kind: ChangeKind, note: Note, changedAt: number): Promise<void> {
  await tx.query('SELECT pg_advisory_xact_lock($1)', [APPEND_LOCK]);
  await tx.query(`INSERT INTO note_changes (${CHANGE_COLUMNS}) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)`, changeValues(kind, note, changedAt));
}

/** Bounds and rows in one statement, so one snapshot: every seq up to `high` is visible in it. */
const readSql = (ofOwner: boolean) => `
  SELECT b.high, b.purged_through, c.*
  FROM (SELECT greatest(coalesce((SELECT max(seq) FROM note_changes), 0), purged_through) AS high, purged_through FROM note_change_log) b
  LEFT JOIN LATERAL (
    SELECT * FROM note_changes WHERE ${ofOwner ? 'owner_id = $3 AND ' : ''}seq > $1 AND seq <= b.high ORDER BY seq LIMIT $2
  ) c ON true
  ORDER BY c.seq`;
const READ_ALL = readSql(false);
const READ_OWNER = readSql(true);

/** The change log (PostgreSQL). */
class PgChangeLog implements ChangeLog {
  constructor(
    private readonly pool: Pool,
    readonly id: string,
  ) {}

  async read(after: number, limit: number, ownerId?: string): Promise<ChangeBatch> {
    const { rows } = await this.pool.query<LogBoundsRow & (ChangeRow | { [K in keyof ChangeRow]: null })>(
      ownerId === undefined ? READ_ALL : READ_OWNER,
      ownerId === undefined ? [after, limit] : [after, limit, ownerId],
    );
    return toBatch(rows.filter((r): r is LogBoundsRow & ChangeRow => r.seq !== null), limit, rows[0]!);
  }

  /** Purges a prefix of the log (computed in one snapshot), so that "purged through seq n" is exact. */
  async purge(before: number): Promise<number> {
    return withTransaction(this.pool, async (tx) => {
      const { rows } = await tx.query<{ up_to: number }>(
        `SELECT coalesce((SELECT seq FROM note_changes WHERE changed_at >= $1 ORDER BY seq LIMIT 1) - 1, (SELECT max(seq) FROM note_changes), 0) AS up_to`,
        [before],
      );
      const upTo = rows[0]!.up_to;
      const deleted = await tx.query('DELETE FROM note_changes WHERE seq <= $1', [upTo]);
      await tx.query('UPDATE note_change_log SET purged_through = greatest(purged_through, $1)', [upTo]);
      return deleted.rowCount ?? 0;
    });
  }
}
