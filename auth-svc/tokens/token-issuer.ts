import { randomUUID, type KeyObject } from 'node:crypto';
import jwt from 'jsonwebtoken';
import type { SigningAlgorithm } from '../../lib/authn/keys.js';

/** A private (or shared-secret) key that signs tokens. Lives only in auth-svc. */
export interface SigningKey {
  readonly kid: string;
  readonly alg: SigningAlgorithm;
  readonly key: KeyObject;
}

export interface TokenIssuerOptions {
  readonly issuer: string;
  readonly audience: string;
  readonly accessTokenTtlSeconds: number;
  /** The key that signs right now (rotation swaps it). */
  readonly signingKey: () => SigningKey;
}

export interface IssuedToken {
  readonly token: string;
  readonly expiresIn: number;
}

export class TokenIssuer {
  constructor(private readonly opts: TokenIssuerOptions) {}

  /** Access token for an end user: sub, roles, jti, iss, aud, iat, exp; `sid` when tied to a session. */
  issueUserToken(user: { id: string; roles: readonly string[] }, sessionId?: string): IssuedToken {
    const claims: Record<string, unknown> = { typ: 'user', roles: user.roles };
    if (sessionId) claims.sid = sessionId;
    return this.sign(user.id, claims, this.opts.accessTokenTtlSeconds);
  }

  private sign(subject: string, claims: Record<string, unknown>, ttlSeconds: number): IssuedToken {
    const key = this.opts.signingKey();
    const token = jwt.sign(claims, key.key, {
      algorithm: key.alg,
      keyid: key.kid,
      subject,
      issuer: this.opts.issuer,
      audience: this.opts.audience,
      expiresIn: ttlSeconds,
      jwtid: randomUUID(),
    });
    return { token, expiresIn: ttlSeconds };
  }
}
