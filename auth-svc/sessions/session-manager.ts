import { randomUUID } from 'node:crypto';
import type { Logger } from '../../lib/log/logger.js';
import type { SessionStore, StoredRefreshToken, StoredSession } from '../store/session-store.js';
import type { User, UserStore } from '../store/user-store.js';
import { hashOpaqueSecret, newOpaqueSecret } from '../tokens/opaque-secret.js';
import { openSuccessor, sealSuccessor } from '../tokens/successor-seal.js';
import type { TokenIssuer } from '../tokens/token-issuer.js';
import { revokeSessionsOf } from './revoke-sessions.js';
import type { Revoker } from './revoker.js';

export interface SessionTokens {
  readonly userId: string;
  readonly sessionId: string;
  readonly accessToken: string;
  readonly expiresIn: number;
  readonly refreshToken: string;
  readonly refreshExpiresIn: number;
}

export type RefreshFailure = 'unknown' | 'expired' | 'revoked' | 'reused' | 'disabled';
/** `retried`: a refresh token rotated moments ago presented again; its successor was returned again. */
export type RefreshOutcome = { ok: true; tokens: SessionTokens; retried: boolean } | { ok: false; failure: RefreshFailure };

export interface SessionManagerOptions {
  readonly sessions: SessionStore;
  readonly users: UserStore;
  readonly tokens: TokenIssuer;
  readonly revoker: Revoker;
  readonly refreshTokenTtlSeconds: number;
  /** How long after a rotation the rotated token may be presented again (a retry) and get the same successor; 0 = never. */
  readonly reuseGraceSeconds: number;
  /** Lines a client can cause (capped per second by LOG_LINES_PER_SECOND in the services). */
  readonly log: Logger;
  /**
   * Where a detected theft is reported, outside that cap: at most once per session (the reuse
   * revokes it), so a flood cannot multiply it, and a flood of other lines cannot hide it.
   * Default: `log`.
   */
  readonly securityLog?: Logger;
  readonly now?: () => number;
}

/**
 * Login sessions: each holds one live refresh token at a time. Refresh rotates it; a
 * rotated token presented again means two parties hold it (one stole it), so the whole
 * session is revoked — unless it comes back within the reuse grace window while its
 * successor is still unused: that is a client retrying after the answer was lost (a
 * timeout, a hung or restarted auth-svc), and it gets the same successor again (sealed
 * for it at rotation, see successor-seal.ts) with a fresh access token. No new refresh
 * token is made, so there is still one live token per session; whichever of two holders
 * uses it second is caught as before. Every revocation is pushed to verifiers through
 * the Revoker.
 */
export class SessionManager {
  constructor(private readonly o: SessionManagerOptions) {}

  /**
   * A new session for a user whose password was just checked; undefined when the account was
   * disabled meanwhile. The tokens carry the roles read after the session exists: a role change
   * or a disable made while the password was being hashed either shows in that read, or finds
   * this session open and revokes it.
   */
  async open(user: User, audience: string): Promise<SessionTokens | undefined> {
    const now = this.now();
    const sessionId = randomUUID();
    const refresh = newOpaqueSecret();
    await this.o.sessions.create({ id: sessionId, userId: user.id, createdAt: now, expiresAt: this.refreshExpiry(now) }, refresh.hash);
    const current = await this.o.users.findById(user.id);
    if (!current || current.disabled) {
      await this.revoke(sessionId, 'account disabled');
      return undefined;
    }
    return this.tokensFor(current, sessionId, refresh.value, audience);
  }

  /** `audience`: the service the new access token is for (each Refresh may name another). */
  async refresh(refreshToken: string, audience: string): Promise<RefreshOutcome> {
    const now = this.now();
    const hash = hashOpaqueSecret(refreshToken);
    const stored = await this.o.sessions.findRefreshToken(hash);
    if (!stored) return { ok: false, failure: 'unknown' };
    const session = await this.o.sessions.findSession(stored.sessionId);
    if (!session || session.revokedAt !== null) return { ok: false, failure: 'revoked' };
    if (stored.usedAt !== null) return this.retriedOrReused(refreshToken, stored, session, now, audience);
    if (stored.expiresAt <= now) return { ok: false, failure: 'expired' };
    const user = await this.o.users.findById(session.userId);
    if (!user || user.disabled) {
      await this.revoke(session.id, 'account disabled');
      return { ok: false, failure: 'disabled' };
    }
    const next = newOpaqueSecret();
    const sealed = this.o.reuseGraceSeconds > 0 ? sealSuccessor(refreshToken, next.value) : null;
    const rotated = await this.o.sessions.rotate(hash, { tokenHash: next.hash, sessionId: session.id, createdAt: now, expiresAt: this.refreshExpiry(now) }, sealed);
    if (!rotated) {
      // A concurrent refresh with the same token won: judged like any other second presentation.
      const winner = await this.o.sessions.findRefreshToken(hash);
      return winner ? this.retriedOrReused(refreshToken, winner, session, now, audience) : this.reused(session.id, session.userId);
    }
    // Roles are read again, so a change of roles takes effect at the next refresh.
    return { ok: true, tokens: this.tokensFor(user, session.id, next.value, audience), retried: false };
  }

  /** A rotated token presented again: the same successor within the grace window, else theft. */
  private async retriedOrReused(presented: string, stored: StoredRefreshToken, session: StoredSession, now: number, audience: string): Promise<RefreshOutcome> {
    const successor = await this.successorWithinGrace(presented, stored, now);
    if (successor === undefined) return this.reused(session.id, session.userId);
    const user = await this.o.users.findById(session.userId);
    if (!user || user.disabled) {
      await this.revoke(session.id, 'account disabled');
      return { ok: false, failure: 'disabled' };
    }
    this.o.log.info({ sid: session.id, sub: session.userId }, 'refresh retried within the reuse grace window: same successor returned');
    return { ok: true, tokens: this.tokensFor(user, session.id, successor, audience), retried: true };
  }

  private async successorWithinGrace(presented: string, stored: StoredRefreshToken, now: number): Promise<string | undefined> {
    if (stored.usedAt === null || stored.sealedSuccessor === null || stored.successorHash === null) return undefined;
    if (now - stored.usedAt > this.o.reuseGraceSeconds * 1000) return undefined;
    const successor = await this.o.sessions.findRefreshToken(stored.successorHash);
    // Already used (rotated on, by someone): presenting its predecessor now is not a retry.
    if (!successor || successor.usedAt !== null || successor.expiresAt <= now) return undefined;
    return openSuccessor(presented, stored.sealedSuccessor);
  }

  /** Revokes one session; false when it was unknown or already revoked. */
  async revoke(sessionId: string, reason: string): Promise<boolean> {
    const revoked = await this.o.sessions.markRevoked(sessionId, reason, this.now());
    if (revoked) await this.o.revoker.revoke([sessionId]);
    return revoked;
  }

  /** Revokes every open session of a user but `keep`; returns how many. */
  revokeAllOf(userId: string, reason: string, keep?: string): Promise<number> {
    return revokeSessionsOf(this.o, userId, reason, this.now(), keep);
  }

  /** Drops sessions whose refresh tokens all expired long ago, and sealed successors past their grace window. */
  async purgeEnded(): Promise<number> {
    const now = this.now();
    await this.o.sessions.forgetSealedSuccessors(now - this.o.reuseGraceSeconds * 1000);
    return this.o.sessions.purgeEndedBefore(now);
  }

  private async reused(sessionId: string, userId: string): Promise<RefreshOutcome> {
    const first = await this.revoke(sessionId, 'refresh token reuse');
    // The first reuse of a session goes to the uncapped log; a replay of an already revoked one does not.
    const log = first ? (this.o.securityLog ?? this.o.log) : this.o.log;
    log.warn({ event: 'security', kind: 'refresh_token_reuse', sid: sessionId, sub: userId }, 'refresh token reused: session revoked');
    return { ok: false, failure: 'reused' };
  }

  private tokensFor(user: User, sessionId: string, refreshToken: string, audience: string): SessionTokens {
    const access = this.o.tokens.issueUserToken(user, sessionId, audience);
    return {
      userId: user.id,
      sessionId,
      accessToken: access.token,
      expiresIn: access.expiresIn,
      refreshToken,
      refreshExpiresIn: this.o.refreshTokenTtlSeconds,
    };
  }

  private refreshExpiry(now: number): number {
    return now + this.o.refreshTokenTtlSeconds * 1000;
  }

  private now(): number {
    return this.o.now ? this.o.now() : Date.now();
  }
}
