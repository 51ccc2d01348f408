import type { Db } from '../../../lib/sqlite/database.js';
import type { NewRefreshToken, NewSession, SessionStore, StoredRefreshToken, StoredSession } from '../session-store.js';
import { toRefreshToken, toSession, type RefreshRow, type SessionRow } from '../rows.js';



/** All SQL about login sessions and their refresh tokens (SQLite). */
export class SqliteSessionStore implements SessionStore {
  private readonly insertSession;
  private readonly insertRefresh;
  private readonly selectSession;
  private readonly selectRefresh;
  private readonly markUsed;
  private readonly extend;
  private readonly revokeOne;
  private readonly openOfUser;
  private readonly purgeSessions;
  private readonly clearSealed;

  constructor(private readonly db: Db) {
    this.insertSession = db.prepare(
      'INSERT INTO sessions (id, user_id, created_at, expires_at) VALUES (@id, @userId, @createdAt, @expiresAt)',
    );
    this.insertRefresh = db.prepare(
      `INSERT INTO refresh_tokens (token_hash, session_id, created_at, expires_at)
       VALUES (@tokenHash, @sessionId, @createdAt, @expiresAt)`,
    );
    this.selectSession = db.prepare<[string], SessionRow>('SELECT * FROM sessions WHERE id = ?');
    this.selectRefresh = db.prepare<[string], RefreshRow>('SELECT * FROM refresh_tokens WHERE token_hash = ?');
    this.markUsed = db.prepare(
      'UPDATE refresh_tokens SET used_at = ?, successor_hash = ?, successor_sealed = ? WHERE token_hash = ? AND used_at IS NULL',
    );
    this.extend = db.prepare('UPDATE sessions SET expires_at = ? WHERE id = ?');
    this.revokeOne = db.prepare(
      'UPDATE sessions SET revoked_at = ?, revoke_reason = ? WHERE id = ? AND revoked_at IS NULL',
    );
    this.openOfUser = db.prepare<[string, number], { id: string }>(
      'SELECT id FROM sessions WHERE user_id = ? AND revoked_at IS NULL AND expires_at > ?',
    );
    this.purgeSessions = db.prepare('DELETE FROM sessions WHERE expires_at < ?');
    this.clearSealed = db.prepare('UPDATE refresh_tokens SET successor_sealed = NULL WHERE successor_sealed IS NOT NULL AND used_at < ?');
  }

  async create(session: NewSession, refreshHash: string): Promise<void> {
    this.db.transaction(() => {
      this.insertSession.run(session);
      this.insertRefresh.run({ tokenHash: refreshHash, sessionId: session.id, createdAt: session.createdAt, expiresAt: session.expiresAt });
    })();
  }

  async findSession(id: string): Promise<StoredSession | undefined> {
    const r = this.selectSession.get(id);
    return r && toSession(r);
  }

  async findRefreshToken(tokenHash: string): Promise<StoredRefreshToken | undefined> {
    const r = this.selectRefresh.get(tokenHash);
    return r && toRefreshToken(r);
  }

  /** better-sqlite3 transactions are synchronous: nothing else runs in between. */
  async rotate(oldHash: string, next: NewRefreshToken, sealedSuccessor: string | null): Promise<boolean> {
    return this.db.transaction(() => {
      if (this.markUsed.run(next.createdAt, next.tokenHash, sealedSuccessor, oldHash).changes !== 1) return false;
      this.insertRefresh.run(next);
      this.extend.run(next.expiresAt, next.sessionId);
      return true;
    })();
  }

  async markRevoked(id: string, reason: string, now: number): Promise<boolean> {
    return this.revokeOne.run(now, reason, id).changes === 1;
  }

  async openSessionIds(userId: string, now: number): Promise<string[]> {
    return this.openOfUser.all(userId, now).map((r) => r.id);
  }

  async forgetSealedSuccessors(usedBefore: number): Promise<number> {
    return this.clearSealed.run(usedBefore).changes;
  }

  /** Refresh tokens go by cascade. */
  async purgeEndedBefore(cutoff: number): Promise<number> {
    return this.purgeSessions.run(cutoff).changes;
  }
}
