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
  readonly accessTokenTtlSeconds: number;
  readonly serviceTokenTtlSeconds: number;
  /** The key that signs right now (rotation swaps it). */
  readonly signingKey: () => SigningKey;
}

export interface IssuedToken {
  readonly token: string;
  readonly expiresIn: number;
}

/** Who acts for the subject (RFC 8693 `act`), nested for chains. */
export interface ActClaim {
  readonly sub: string;
  readonly act?: ActClaim;
}

/** What an exchanged token says: the user and session of the subject token, the actor, the target. */
export interface ExchangedTokenClaims {
  readonly subject: string;
  readonly roles: readonly string[];
  readonly sessionId: string | undefined;
  readonly act: ActClaim;
  readonly audience: string;
  /** Space-separated; omitted when undefined. */
  readonly scope: string | undefined;
  /** Epoch seconds the token may not outlive (the subject token's `exp`). */
  readonly notAfter: number;
}

export class TokenIssuer {
  constructor(private readonly opts: TokenIssuerOptions) {}

  /** Access token for an end user, for one service (`audience`): sub, roles, sid, jti, iss, aud, iat, exp. */
  issueUserToken(user: { id: string; roles: readonly string[] }, sessionId: string, audience: string): IssuedToken {
    return this.sign(user.id, audience, { typ: 'user', roles: user.roles, sid: sessionId }, this.opts.accessTokenTtlSeconds);
  }

  /**
   * Token for a service client: `typ: service`, OAuth-style space-separated `scope`, the client's
   * sid, and — when asked for over mutual TLS — `cnf.x5t#S256`, the thumbprint of its certificate (RFC 8705).
   */
  issueServiceToken(client: { id: string; scopes: readonly string[]; sessionId: string }, audience: string, certificateThumbprint?: string): IssuedToken {
    const claims = { typ: 'service', scope: client.scopes.join(' '), sid: client.sessionId, client_id: client.id };
    const cnf = certificateThumbprint === undefined ? {} : { cnf: { 'x5t#S256': certificateThumbprint } };
    return this.sign(client.id, audience, { ...claims, ...cnf }, this.opts.serviceTokenTtlSeconds);
  }

  /** RFC 8693: a user's token for another service, naming the acting service client; never outlives the subject token. */
  issueExchangedToken(c: ExchangedTokenClaims, now = Math.floor(Date.now() / 1000)): IssuedToken {
    const ttl = Math.min(this.opts.accessTokenTtlSeconds, c.notAfter - now);
    const scope = c.scope === undefined ? {} : { scope: c.scope };
    const sid = c.sessionId === undefined ? {} : { sid: c.sessionId };
    return this.sign(c.subject, c.audience, { typ: 'user', roles: c.roles, ...sid, ...scope, act: c.act, client_id: c.act.sub }, ttl);
  }

  private sign(subject: string, audience: string, claims: Record<string, unknown>, ttlSeconds: number): IssuedToken {
    const key = this.opts.signingKey();
    const token = jwt.sign(claims, key.key, {
      algorithm: key.alg,
      keyid: key.kid,
      // RFC 9068: an access token says so, so it cannot pass for any other JWT of this issuer.
      header: { alg: key.alg, typ: 'at+jwt' },
      subject,
      issuer: this.opts.issuer,
      audience,
      expiresIn: ttlSeconds,
      jwtid: randomUUID(),
    });
    return { token, expiresIn: ttlSeconds };
  }
}
