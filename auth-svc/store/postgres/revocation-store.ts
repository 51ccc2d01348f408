import type { RevokedSessionEntry } from '@grpc-token-auth/server-kit';
import type { RevocationStore } from '../revocation-store.js';
import { withTransaction, type Pool } from '../../../lib/postgres/pool.js';
import { toRevocation, type RevocationRow } from '../rows.js';

/**
 * All SQL about revoked sessions (PostgreSQL). Every insert NOTIFYs `revocations` (a trigger).
 * Sequence values are handed out before commit, so two concurrent inserts could commit
 * out of seq order and a reader resuming after the later one would skip the earlier.
 * Writers therefore take a table lock that only other writers wait for (readers do not):
 * seqs become visible in order. Revocations are rare; the wait is negligible.
 */
export class PgRevocationStore implements RevocationStore {
  constructor(private readonly pool: Pool) {}

  async add(entry: RevokedSessionEntry, now: number): Promise<void> {
    await withTransaction(this.pool, async (tx) => {
      await tx.query('LOCK TABLE revocations IN SHARE ROW EXCLUSIVE MODE');
      await tx.query(
        'INSERT INTO revocations (session_id, revoked_at, forget_after) VALUES ($1, $2, $3) ON CONFLICT (session_id) DO NOTHING',
        [entry.sessionId, now, entry.forgetAfter],
      );
    });
  }

  async active(now: number): Promise<RevokedSessionEntry[]> {
    const { rows } = await this.pool.query<RevocationRow>('SELECT session_id, forget_after FROM revocations WHERE forget_after > $1', [now]);
    return rows.map(toRevocation);
  }

  async since(seq: number): Promise<{ entries: RevokedSessionEntry[]; lastSeq: number }> {
    const { rows } = await this.pool.query<RevocationRow & { seq: number }>(
      'SELECT seq, session_id, forget_after FROM revocations WHERE seq > $1 ORDER BY seq',
      [seq],
    );
    return { entries: rows.map(toRevocation), lastSeq: rows.length > 0 ? rows[rows.length - 1]!.seq : seq };
  }

  async lastSeq(): Promise<number> {
    const { rows } = await this.pool.query<{ seq: number | null }>('SELECT max(seq) AS seq FROM revocations');
    return rows[0]!.seq ?? 0;
  }

  async purgeForgotten(now: number): Promise<number> {
    const res = await this.pool.query('DELETE FROM revocations WHERE forget_after <= $1', [now]);
    return res.rowCount ?? 0;
  }
}


