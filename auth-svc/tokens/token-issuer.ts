import { randomUUID, type KeyObject } from 'node:crypto';
import jwt from 'jsonwebtoken';
import type { SigningAlgorithm } from '@grpc-token-auth/server-kit';

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
  readonly serviceTokenTtlSeconds: number;
  /** The key that signs right now (rotation swaps it). */
  readonly signingKey: () => SigningKey;
}

export interface IssuedToken {
  readonly token: string;
  readonly expiresIn: number;
}

export class TokenIssuer {
  constructor(private readonly opts: TokenIssuerOptions) {}

  /** Access token for an end user: sub, roles, sid, jti, iss, aud, iat, exp. */
  issueUserToken(user: { id: string; roles: readonly string[] }, sessionId: string): IssuedToken {
    return this.sign(user.id, { typ: 'user', roles: user.roles, sid: sessionId }, this.opts.accessTokenTtlSeconds);
  }

  /** Token for a service client: `typ: service`, OAuth-style space-separated `scope`, and the client's sid. */
  issueServiceToken(client: { id: string; scopes: readonly string[]; sessionId: string }): IssuedToken {
    const claims = { typ: 'service', scope: client.scopes.join(' '), sid: client.sessionId };
    return this.sign(client.id, claims, this.opts.serviceTokenTtlSeconds);
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
