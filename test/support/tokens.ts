import { createPrivateKey, createSecretKey, randomUUID, type KeyObject } from 'node:crypto';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import jwt from 'jsonwebtoken';
import { sharedSecretKey } from '@grpc-token-auth/server-kit';
import { TEST_AUDIENCE, TEST_ISSUER, TEST_SECRET } from './system.js';

export interface ForgeOptions {
  readonly secret?: string;
  readonly issuer?: string;
  readonly audience?: string;
  readonly expiresInSeconds?: number;
  readonly notBeforeSeconds?: number;
  readonly claims?: Record<string, unknown>;
  readonly kid?: string;
  /** The header's `typ` (RFC 9068 access tokens: `at+jwt`, what auth-svc writes); null leaves it out. */
  readonly typ?: string | null;
  /** Sign with this key (e.g. auth-svc's real private key) instead of an HS256 secret. */
  readonly signWith?: { kid: string; alg: 'RS256' | 'ES256'; key: KeyObject };
}

/** auth-svc's newest (or the named) signing key, read from its database the way only an insider could. */
export function authSigningKey(dataDir: string, kid?: string): { kid: string; alg: 'RS256'; key: KeyObject } {
  const db = new Database(join(dataDir, 'auth.db'), { readonly: true });
  const query = kid
    ? db.prepare('SELECT kid, private_pem FROM signing_keys WHERE kid = ?').bind(kid)
    : db.prepare('SELECT kid, private_pem FROM signing_keys ORDER BY active_from DESC LIMIT 1');
  const row = query.get() as {
    kid: string;
    private_pem: string;
  };
  db.close();
  return { kid: row.kid, alg: 'RS256', key: createPrivateKey(row.private_pem) };
}

/** Mints an HS256 token the way a forger (or auth-svc, with the right secret) would. */
export function forgeToken(subject: string, o: ForgeOptions = {}): string {
  const secret = o.secret ?? TEST_SECRET;
  const key = o.signWith?.key ?? createSecretKey(Buffer.from(secret));
  const algorithm = o.signWith?.alg ?? 'HS256';
  const typ = o.typ === undefined ? 'at+jwt' : o.typ;
  return jwt.sign({ typ: 'user', roles: ['user'], ...o.claims }, key, {
    algorithm,
    header: typ === null ? { alg: algorithm } : { alg: algorithm, typ },
    keyid: o.kid ?? o.signWith?.kid ?? sharedSecretKey(secret).kid,
    subject,
    issuer: o.issuer ?? TEST_ISSUER,
    audience: o.audience ?? TEST_AUDIENCE,
    expiresIn: o.expiresInSeconds ?? 300,
    ...(o.notBeforeSeconds === undefined ? {} : { notBefore: o.notBeforeSeconds }),
    jwtid: randomUUID(),
  });
}

/** An unsigned token: header {alg: none}, empty signature. */
export function unsignedToken(subject: string): string {
  const now = Math.floor(Date.now() / 1000);
  const part = (v: object) => Buffer.from(JSON.stringify(v)).toString('base64url');
  return `${part({ alg: 'none', typ: 'JWT', kid: sharedSecretKey(TEST_SECRET).kid })}.${part({
    sub: subject, iss: TEST_ISSUER, aud: TEST_AUDIENCE, iat: now, exp: now + 300, jti: randomUUID(), roles: ['user'],
  })}.`;
}
