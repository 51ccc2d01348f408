import type { RevokedSessionEntry } from '../../lib/authn/revocation-list.js';
import type { Db } from '../../lib/sqlite/database.js';

/** All SQL about revoked sessions that verifiers must still refuse. */
export class RevocationStore {
  private readonly insert;
  private readonly current;
  private readonly after;
  private readonly last;
  private readonly purge;

  constructor(db: Db) {
    // Revoking twice keeps the first row (and its seq): it was published already.
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

  add(entry: RevokedSessionEntry, now: number): void {
    this.insert.run(entry.sessionId, now, entry.forgetAfter);
  }

  /** Every revocation still relevant at `now`: the snapshot a (re)connecting verifier gets. */
  active(now: number): RevokedSessionEntry[] {
    return this.current.all(now).map(toEntry);
  }

  /** Revocations recorded after `seq` (by any process), oldest first, with the last seq seen. */
  since(seq: number): { entries: RevokedSessionEntry[]; lastSeq: number } {
    const rows = this.after.all(seq);
    return { entries: rows.map(toEntry), lastSeq: rows.length > 0 ? rows[rows.length - 1]!.seq : seq };
  }

  lastSeq(): number {
    return this.last.get()!.seq ?? 0;
  }

  purgeForgotten(now: number): number {
    return this.purge.run(now).changes;
  }
}

function toEntry(r: { session_id: string; forget_after: number }): RevokedSessionEntry {
  return { sessionId: r.session_id, forgetAfter: r.forget_after };
}
