import type { NewRefreshToken, NewSession, SessionStore, StoredRefreshToken, StoredSession } from '../session-store.js';
import { withTransaction, type Pool, type PoolClient } from '../../../lib/postgres/pool.js';
import { toRefreshToken, toSession, type RefreshRow, type SessionRow } from '../rows.js';



/** All SQL about login sessions and their refresh tokens (PostgreSQL). */
export class PgSessionStore implements SessionStore {
  constructor(private readonly pool: Pool) {}

  async create(session: NewSession, refreshHash: string): Promise<void> {
    await withTransaction(this.pool, async (tx) => {
      await tx.query('INSERT INTO sessions (id, user_id, created_at, expires_at) VALUES ($1, $2, $3, $4)', [
        session.id,
        session.userId,
        session.createdAt,
        session.expiresAt,
      ]);
      await insertRefresh(tx, { tokenHash: refreshHash, sessionId: session.id, createdAt: session.createdAt, expiresAt: session.expiresAt });
    });
  }

  async findSession(id: string): Promise<StoredSession | undefined> {
    const { rows } = await this.pool.query<SessionRow>('SELECT * FROM sessions WHERE id = $1', [id]);
    const r = rows[0];
    return r && toSession(r);
  }

  async findRefreshToken(tokenHash: string): Promise<StoredRefreshToken | undefined> {
    const { rows } = await this.pool.query<RefreshRow>('SELECT * FROM refresh_tokens WHERE token_hash = $1', [tokenHash]);
    const r = rows[0];
    return r && toRefreshToken(r);
  }

  /**
   * The conditional UPDATE decides: a concurrent rotation of the same token (in any
   * replica) waits for the row lock, then finds used_at set and changes nothing.
   */
  async rotate(oldHash: string, next: NewRefreshToken, sealedSuccessor: string | null): Promise<boolean> {
    return withTransaction(this.pool, async (tx) => {
      const used = await tx.query(
        'UPDATE refresh_tokens SET used_at = $1, successor_hash = $2, successor_sealed = $3 WHERE token_hash = $4 AND used_at IS NULL',
        [next.createdAt, next.tokenHash, sealedSuccessor, oldHash],
      );
      if (used.rowCount !== 1) return false;
      await insertRefresh(tx, next);
      await tx.query('UPDATE sessions SET expires_at = $1 WHERE id = $2', [next.expiresAt, next.sessionId]);
      return true;
    });
  }

  async markRevoked(id: string, reason: string, now: number): Promise<boolean> {
    const res = await this.pool.query('UPDATE sessions SET revoked_at = $1, revoke_reason = $2 WHERE id = $3 AND revoked_at IS NULL', [now, reason, id]);
    return res.rowCount === 1;
  }

  async openSessionIds(userId: string, now: number): Promise<string[]> {
    const { rows } = await this.pool.query<{ id: string }>(
      'SELECT id FROM sessions WHERE user_id = $1 AND revoked_at IS NULL AND expires_at > $2',
      [userId, now],
    );
    return rows.map((r) => r.id);
  }

  async forgetSealedSuccessors(usedBefore: number): Promise<number> {
    const res = await this.pool.query('UPDATE refresh_tokens SET successor_sealed = NULL WHERE successor_sealed IS NOT NULL AND used_at < $1', [usedBefore]);
    return res.rowCount ?? 0;
  }

  async purgeEndedBefore(cutoff: number): Promise<number> {
    const res = await this.pool.query('DELETE FROM sessions WHERE expires_at < $1', [cutoff]);
    return res.rowCount ?? 0;
  }
}

async function insertRefresh(tx: PoolClient, t: NewRefreshToken): Promise<void> {
  await tx.query('INSERT INTO refresh_tokens (token_hash, session_id, created_at, expires_at) VALUES ($1, $2, $3, $4)', [
    t.tokenHash,
    t.sessionId,
    t.createdAt,
    t.expiresAt,
  ]);
}
