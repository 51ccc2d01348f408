import { randomUUID } from 'node:crypto';
import { combinedFeed, type ChangeFeed } from '../../../lib/changes/change-feed.js';
import { ProcessChangeFeed } from '../../../lib/changes/process-change-feed.js';
import { PgChangeFeed } from '../../../lib/postgres/change-feed.js';
import { openMigratedPool } from '../../../lib/postgres/migrate.js';
import { withTransaction, type Pool, type PoolClient } from '../../../lib/postgres/pool.js';
import type { ChangeBatch, ChangeKind, ChangeLog, CreateOutcome, Note, NoteChannel, NotePage, NoteStore, OwnerNoteCount, PageCursor, UpdateOutcome, WriteRefusal } from '../note-store.js';
import { CHANGE_COLUMNS, changeValues, NOTE_SIZE_COLUMNS, toBatch, toNote, toPage, type ChangeRow, type LogBoundsRow, type NoteRow, type NoteSizeRow, type UsageRow } from '../rows.js';
import { bytesRetryAfterMs, judgeWrite, rowBytes, updatedBytes, type OwnerUsage, type WriteCost, type WriteQuota } from '../write-quota.js';
import { PG_BUSINESS_MIGRATIONS } from './migrations.js';

/** A PostgreSQL database of business-svc's own, shared by every replica (migrated if needed). */
export async function openPostgresNoteStore(url: string, onError: (err: Error) => void, quota: WriteQuota): Promise<NoteStore> {
  const pool = await openMigratedPool(url, PG_BUSINESS_MIGRATIONS, onError);
  try {
    const { rows } = await pool.query<{ id: string }>('SELECT id FROM note_change_log');
    return new PgNoteStore(pool, new PgChangeLog(pool, rows[0]!.id), new PgChangeFeed<NoteChannel>(url, ['note_changes'], onError), quota);
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
/** Purges take turns: each gives bytes back to many owners' rows, which two at once could lock in opposite orders. */
const PURGE_LOCK = 4_270_053;

/**
 * All SQL about notes (PostgreSQL). Every append NOTIFYs `note_changes` (a trigger). Every write
 * first locks its owner's bookkeeping row (note_counts) until commit, so one owner's writes take
 * turns across replicas and its quota is judged on committed figures; locks are always taken in
 * the order owner row, note row, append lock. The write rate runs on the database's clock, which
 * every replica shares.
 */
class PgNoteStore implements NoteStore {
  readonly backend = 'postgres';
  readonly feed: ChangeFeed<NoteChannel>;
  /** This process's own writes, heard at once (and by sibling workers), without waiting for the NOTIFY. */
  private readonly own = new ProcessChangeFeed<NoteChannel>();

  constructor(
    private readonly pool: Pool,
    readonly changes: ChangeLog,
    private readonly listener: PgChangeFeed<NoteChannel>,
    private readonly quota: WriteQuota,
  ) {
    this.feed = combinedFeed(listener, this.own);
  }

  async create(ownerId: string, title: string, body: string, maxNotes: number, now = Date.now()): Promise<CreateOutcome> {
    const note: Note = { id: randomUUID(), ownerId, title, body, createdAt: now, updatedAt: now, version: 1 };
    const refused = await withTransaction(this.pool, async (tx): Promise<WriteRefusal | undefined> => {
      const bytes = rowBytes(ownerId, Buffer.byteLength(title), Buffer.byteLength(body));
      // The note and its change-log copy.
      const refusal = await this.charge(tx, ownerId, { notes: 1, bytes: 2 * bytes, maxNotes });
      if (refusal) return refusal;
      await tx.query('INSERT INTO notes (id, owner_id, title, body, created_at, updated_at, bytes) VALUES ($1, $2, $3, $4, $5, $6, $7)', [
        note.id,
        ownerId,
        title,
        body,
        now,
        now,
        bytes,
      ]);
      await append(tx, 'created', note, now, bytes);
      return undefined;
    });
    if (refused) return refused;
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
   * The owner's row is locked first, so a concurrent update of the same note (any replica)
   * waits for it, then reads the committed version.
   */
  async patch(ownerId: string, id: string, c: { title?: string; body?: string; expectedVersion?: number }, now = Date.now()): Promise<UpdateOutcome> {
    const outcome = await withTransaction(this.pool, async (tx): Promise<UpdateOutcome> => {
      const usage = await lockUsage(tx, ownerId);
      const { rows: found } = await tx.query<NoteSizeRow>(`SELECT ${NOTE_SIZE_COLUMNS} FROM notes WHERE id = $1 AND owner_id = $2`, [id, ownerId]);
      const before = found[0];
      if (!before) return { kind: 'not_found' };
      if (c.expectedVersion !== undefined && before.version !== c.expectedVersion) return { kind: 'version_mismatch', current: before.version };
      const bytes = updatedBytes(ownerId, { titleBytes: before.title_bytes, bodyBytes: before.body_bytes }, c);
      // The note's growth, and the change-log copy.
      const refusal = await this.charge(tx, ownerId, { notes: 0, bytes: bytes - Number(before.bytes) + bytes }, usage);
      if (refusal?.kind === 'over_quota') return refusal; // (no note limit on an update)
      const { rows } = await tx.query<NoteRow>(
        `UPDATE notes SET title = coalesce($1, title), body = coalesce($2, body), updated_at = $3, version = version + 1, bytes = $4
         WHERE id = $5 AND owner_id = $6 RETURNING *`,
        [c.title ?? null, c.body ?? null, now, bytes, id, ownerId],
      );
      const note = toNote(rows[0]!);
      await append(tx, 'updated', note, now, bytes);
      return { kind: 'updated', note };
    });
    if (outcome.kind === 'updated') this.own.announce('note_changes');
    return outcome;
  }

  async delete(ownerId: string, id: string, now = Date.now()): Promise<Note | undefined> {
    const note = await withTransaction(this.pool, async (tx) => {
      await lockUsage(tx, ownerId);
      const { rows } = await tx.query<NoteRow>('DELETE FROM notes WHERE id = $1 AND owner_id = $2 RETURNING *', [id, ownerId]);
      if (!rows[0]) return undefined;
      await tx.query('UPDATE note_counts SET note_count = note_count - 1 WHERE owner_id = $1', [ownerId]);
      const deleted = toNote(rows[0]);
      // The deletion's entry holds the note as it was, at the note's charge: the owner's bytes stay as they were.
      await append(tx, 'deleted', deleted, now, Number(rows[0].bytes));
      return deleted;
    });
    if (note) this.own.announce('note_changes');
    return note;
  }

  /** Inside a write transaction: takes `cost` from the owner's quota, or says why not (nothing taken then). */
  private async charge(tx: PoolClient, ownerId: string, cost: WriteCost, locked?: LockedUsage): Promise<WriteRefusal | undefined> {
    const { usage, now } = locked ?? (await lockUsage(tx, ownerId));
    const verdict = judgeWrite(usage, cost, this.quota, now);
    if (verdict.ok) {
      await tx.query('UPDATE note_counts SET note_count = $2, stored_bytes = $3, write_tat = $4 WHERE owner_id = $1', [
        ownerId,
        verdict.usage.notes,
        verdict.usage.bytes,
        verdict.usage.writeTat,
      ]);
      return undefined;
    }
    if (verdict.limit === 'notes') return { kind: 'limit_reached' };
    if (verdict.limit === 'rate') return { kind: 'over_quota', limit: 'rate', retryAfterMs: verdict.retryAfterMs };
    const { rows } = await tx.query<{ changed_at: number }>('SELECT changed_at FROM note_changes WHERE owner_id = $1 ORDER BY seq LIMIT 1', [ownerId]);
    return { kind: 'over_quota', limit: 'bytes', retryAfterMs: bytesRetryAfterMs(rows[0]?.changed_at, this.quota, Date.now()) };
  }

  async close(): Promise<void> {
    this.own.close();
    await this.listener.close();
    await this.pool.end();
  }
}

/** Last statement of every write transaction: the lock is held only until the commit that follows. */
async function append(tx: PoolClient, kind: ChangeKind, note: Note, changedAt: number, bytes: number): Promise<void> {
  await tx.query('SELECT pg_advisory_xact_lock($1)', [APPEND_LOCK]);
  await tx.query(`INSERT INTO note_changes (${CHANGE_COLUMNS}) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10)`, changeValues(kind, note, changedAt, bytes));
}

interface LockedUsage {
  readonly usage: OwnerUsage;
  /** The database's clock, epoch ms. */
  readonly now: number;
}

/** First statement of every write: the owner's row (created if new), locked until commit. */
async function lockUsage(tx: PoolClient, ownerId: string): Promise<LockedUsage> {
  const { rows } = await tx.query<UsageRow & { now_ms: number }>(
    `INSERT INTO note_counts (owner_id, note_count) VALUES ($1, 0)
     ON CONFLICT (owner_id) DO UPDATE SET owner_id = excluded.owner_id
     RETURNING note_count, stored_bytes, write_tat, extract(epoch FROM clock_timestamp()) * 1000 AS now_ms`,
    [ownerId],
  );
  const r = rows[0]!;
  return { usage: { notes: r.note_count, bytes: Number(r.stored_bytes), writeTat: r.write_tat }, now: Number(r.now_ms) };
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
      await tx.query('SELECT pg_advisory_xact_lock($1)', [PURGE_LOCK]);
      const { rows } = await tx.query<{ up_to: number }>(
        `SELECT coalesce((SELECT seq FROM note_changes WHERE changed_at >= $1 ORDER BY seq LIMIT 1) - 1, (SELECT max(seq) FROM note_changes), 0) AS up_to`,
        [before],
      );
      const upTo = rows[0]!.up_to;
      // Deleted and given back in one statement: each owner gets back exactly the bytes of its rows that went.
      const { rows: purged } = await tx.query<{ deleted: number }>(
        `WITH gone AS (DELETE FROM note_changes WHERE seq <= $1 RETURNING owner_id, bytes),
              per_owner AS (SELECT owner_id, sum(bytes) AS bytes, count(*) AS n FROM gone GROUP BY owner_id),
              given AS (UPDATE note_counts c SET stored_bytes = c.stored_bytes - p.bytes FROM per_owner p WHERE c.owner_id = p.owner_id)
         SELECT coalesce(sum(n), 0)::bigint AS deleted FROM per_owner`,
        [upTo],
      );
      await tx.query('UPDATE note_change_log SET purged_through = greatest(purged_through, $1)', [upTo]);
      return Number(purged[0]!.deleted);
    });
  }
}
