import type { RevokedSessionEntry } from '@grpc-token-auth/server-kit';
import type { Db } from '../../../lib/sqlite/database.js';
import type { RevocationStore } from '../revocation-store.js';
import { toRevocation } from '../rows.js';

/**
 * All SQL about revoked sessions (SQLite). SQLite runs one writer at a time, so AUTOINCREMENT
 * seqs are committed in order.
 */
export class SqliteRevocationStore implements RevocationStore {
  private readonly insert;
  private readonly current;
  private readonly after;
  private readonly last;
  private readonly purge;

  constructor(db: Db) {
    this.insert = db.prepare(
      'INSERT INTO revocations (session_id, revoked_at, forget_after) VALUES (?, ?, ?) ON CONFLICT (session_id) DO NOTHING',
    );
    this.current = db.prepare<[number], { session_id: string; forget_after: number }>(
      'SELECT session_id, forget_after FROM revocations WHERE forget_after > ?',
    );
    this.after = db.prepare<[number], { seq: number; session_id: string; forget_after: number }>(
      'SELECT seq, session_id, forget_after FROM revocations WHERE seq > ? ORDER BY seq',
    );
    this.last = db.prepare<[], { seq: number | null }>('SELECT max(seq) AS seq FROM revocations');
    this.purge = db.prepare('DELETE FROM revocations WHERE forget_after <= ?');
  }

  async add(entry: RevokedSessionEntry, now: number): Promise<void> {
    this.insert.run(entry.sessionId, now, entry.forgetAfter);
  }

  async active(now: number): Promise<RevokedSessionEntry[]> {
    return this.current.all(now).map(toRevocation);
  }

  async since(seq: number): Promise<{ entries: RevokedSessionEntry[]; lastSeq: number }> {
    const rows = this.after.all(seq);
    return { entries: rows.map(toRevocation), lastSeq: rows.length > 0 ? rows[rows.length - 1]!.seq : seq };
  }

  async lastSeq(): Promise<number> {
    return this.last.get()!.seq ?? 0;
  }

  async purgeForgotten(now: number): Promise<number> {
    return this.purge.run(now).changes;
  }
}

