import { createHash, generateKeyPairSync, randomUUID, type KeyObject } from 'node:crypto';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import jwt from 'jsonwebtoken';
import { TEST_AUDIENCE } from './system.js';

/**
 * Another team's identity provider, as small as a test needs: its own ES256 keys, an OIDC
 * discovery document and a JWKS over loopback HTTP (keys published without `alg` and
 * `use`, as several providers do), and a log of what verifiers fetched.
 */
export interface StandInIssuer {
  /** The issuer URL (`iss`), with a path, as hosted providers have. */
  readonly issuer: string;
  readonly jwksUrl: string;
  /** Every request: path and the status answered. */
  readonly requests: { path: string; status: number }[];
  /** A token signed with the current key (or `kid`/`key` when given). */
  sign(subject: string, o?: { claims?: Record<string, unknown>; kid?: string; key?: KeyObject; issuer?: string; audience?: string; expiresIn?: number }): string;
  /** A new current key; the old one stays published. */
  rotate(): void;
  /** Stops answering (an outage). */
  close(): Promise<void>;
}

interface Key {
  readonly kid: string;
  readonly privateKey: KeyObject;
  readonly publicJwk: Record<string, unknown>;
}

function newKey(): Key {
  const { privateKey, publicKey } = generateKeyPairSync('ec', { namedCurve: 'P-256' });
  const { kty, crv, x, y } = publicKey.export({ format: 'jwk' });
  return { kid: `standin-${randomUUID().slice(0, 8)}`, privateKey, publicJwk: { kty, crv, x, y } };
}

export async function startStandInIssuer(): Promise<StandInIssuer> {
  const keys: Key[] = [newKey()];
  const requests: { path: string; status: number }[] = [];
  let issuer = '';
  const server = createServer((req, res) => {
    const path = req.url ?? '';
    const answer = (status: number, body?: object, headers: Record<string, string> = {}) => {
      requests.push({ path, status });
      res.writeHead(status, { 'content-type': 'application/json', ...headers }).end(body ? JSON.stringify(body) : undefined);
    };
    if (path === '/idp/.well-known/openid-configuration') return answer(200, { issuer, jwks_uri: `${issuer}/keys` });
    if (path === '/idp/keys') {
      const body = { keys: keys.map((k) => ({ ...k.publicJwk, kid: k.kid })) };
      const etag = `"${createHash('sha256').update(JSON.stringify(body)).digest('hex').slice(0, 16)}"`;
      if (req.headers['if-none-match'] === etag) return answer(304, undefined, { etag });
      return answer(200, body, { etag });
    }
    answer(404, { error: 'not found' });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  issuer = `http://127.0.0.1:${(server.address() as AddressInfo).port}/idp`;
  return {
    issuer,
    jwksUrl: `${issuer}/keys`,
    requests,
    sign(subject, o = {}) {
      const current = keys[keys.length - 1]!;
      return jwt.sign({ roles: ['user'], ...o.claims }, o.key ?? current.privateKey, {
        algorithm: 'ES256',
        keyid: o.kid ?? current.kid,
        subject,
        issuer: o.issuer ?? issuer,
        audience: o.audience ?? TEST_AUDIENCE,
        expiresIn: o.expiresIn ?? 300,
        jwtid: randomUUID(),
      });
    },
    rotate: () => void keys.push(newKey()),
    close: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  };
}
