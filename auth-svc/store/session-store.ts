export interface StoredSession {
  readonly id: string;
  readonly userId: string;
  readonly createdAt: number;
  readonly expiresAt: number;
  readonly revokedAt: number | null;
}

export interface StoredRefreshToken {
  readonly tokenHash: string;
  readonly sessionId: string;
  readonly expiresAt: number;
  readonly usedAt: number | null;
  /** Set when rotated: the hash of the token that replaced it. */
  readonly successorHash: string | null;
  /** The successor, sealed for whoever presents this token again (reuse grace window); null otherwise. */
  readonly sealedSuccessor: string | null;
}

export interface NewSession {
  readonly id: string;
  readonly userId: string;
  readonly createdAt: number;
  readonly expiresAt: number;
}

export interface NewRefreshToken {
  readonly tokenHash: string;
  readonly sessionId: string;
  readonly createdAt: number;
  readonly expiresAt: number;
}

/** Login sessions and their refresh tokens. Callers pass hashes, never tokens. */
export interface SessionStore {
  /** A new session with its first refresh token, atomically. */
  create(session: NewSession, refreshHash: string): Promise<void>;
  findSession(id: string): Promise<StoredSession | undefined>;
  findRefreshToken(tokenHash: string): Promise<StoredRefreshToken | undefined>;
  /**
   * Marks `oldHash` used, records its successor (hash, and `sealedSuccessor` when a reuse
   * grace window applies) and adds the successor, atomically. Resolves false when the old
   * token was already used (a concurrent refresh won), so exactly one rotation succeeds,
   * even across processes sharing the database.
   */
  rotate(oldHash: string, next: NewRefreshToken, sealedSuccessor: string | null): Promise<boolean>;
  /** Clears the sealed successors of tokens used before `usedBefore` (their grace window is over). */
  forgetSealedSuccessors(usedBefore: number): Promise<number>;
  /** Marks a session revoked; false when it already was (or does not exist). */
  markRevoked(id: string, reason: string, now: number): Promise<boolean>;
  openSessionIds(userId: string, now: number): Promise<string[]>;
  /** Deletes sessions (and their refresh tokens) that ended before `cutoff`. */
  purgeEndedBefore(cutoff: number): Promise<number>;
}
