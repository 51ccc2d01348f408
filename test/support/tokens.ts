import { createSecretKey, randomUUID } from 'node:crypto';
import jwt from 'jsonwebtoken';
import { sharedSecretKey } from '../../lib/authn/keys.js';
import { TEST_AUDIENCE, TEST_ISSUER, TEST_SECRET } from './system.js';

export interface ForgeOptions {
  readonly secret?: string;
  readonly issuer?: string;
  readonly audience?: string;
  readonly expiresInSeconds?: number;
  readonly notBeforeSeconds?: number;
  readonly claims?: Record<string, unknown>;
  readonly kid?: string;
}

/** Mints an HS256 token the way a forger (or auth-svc, with the right secret) would. */
export function forgeToken(subject: string, o: ForgeOptions = {}): string {
  const secret = o.secret ?? TEST_SECRET;
  return jwt.sign({ typ: 'user', roles: ['user'], ...o.claims }, createSecretKey(Buffer.from(secret)), {
    algorithm: 'HS256',
    keyid: o.kid ?? sharedSecretKey(secret).kid,
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
