import { generateKeyPairSync } from 'node:crypto';
import { expect } from 'chai';
import { wellKnownRoutes } from '../../auth-svc/handlers/well-known.js';
import { fromPublicJwk, jwkThumbprint, parseJwksJson, toJwksJson, toPublicJwk } from '@grpc-token-auth/server-kit/internal';
import type { HttpReply, HttpRoute } from '../../lib/http/bounded-http-server.js';
import { cacheableJson } from '../../lib/http/cacheable.js';

const rsaKey = () => {
  const { publicKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
  return toPublicJwk(jwkThumbprint(publicKey), 'RS256', publicKey);
};
const view = (address = '127.0.0.1', headers = {}) => ({ headers, local: { address, port: 50080 } });
const body = async (route: HttpRoute | undefined, req = view()) => JSON.parse((await route!(req) as HttpReply).body) as Record<string, unknown>;

describe('well-known routes (discovery, JWKS)', () => {
  it('without an issuer URL: at the root, jwks_uri from the address the client connected to (IPv6 in brackets)', async () => {
    const routes = wellKnownRoutes({ issuer: 'auth-svc', algorithm: 'RS256', publicKeys: () => [] });
    expect(Object.keys(routes).sort()).to.deep.equal(['/.well-known/jwks.json', '/.well-known/openid-configuration']);
    expect((await body(routes['/.well-known/openid-configuration'])).jwks_uri).to.equal('http://127.0.0.1:50080/.well-known/jwks.json');
    expect((await body(routes['/.well-known/openid-configuration'], view('::1', { host: 'evil.example' }))).jwks_uri).to.equal('http://[::1]:50080/.well-known/jwks.json');
  });

  it('with an issuer URL: under its path (a trailing slash changes nothing), the JWKS also at the root', async () => {
    for (const issuer of ['https://id.example.com/t/a', 'https://id.example.com/t/a/']) {
      const routes = wellKnownRoutes({ issuer, algorithm: 'ES256', publicKeys: () => [] });
      expect(Object.keys(routes).sort(), issuer).to.deep.equal(['/.well-known/jwks.json', '/t/a/.well-known/jwks.json', '/t/a/.well-known/openid-configuration']);
      const doc = await body(routes['/t/a/.well-known/openid-configuration']);
      expect(doc).to.deep.include({ issuer, jwks_uri: 'https://id.example.com/t/a/.well-known/jwks.json', id_token_signing_alg_values_supported: ['ES256'] });
    }
    const root = wellKnownRoutes({ issuer: 'https://id.example.com', algorithm: 'RS256', publicKeys: () => [] });
    expect(Object.keys(root).sort()).to.deep.equal(['/.well-known/jwks.json', '/.well-known/openid-configuration']);
  });

  it('serves what publicKeys() says at each request (a rotation needs no restart)', async () => {
    const keys = [rsaKey()];
    const routes = wellKnownRoutes({ issuer: 'auth-svc', algorithm: 'RS256', publicKeys: () => keys });
    const first = (await routes['/.well-known/jwks.json']!(view())) as HttpReply;
    keys.push(rsaKey());
    const second = (await routes['/.well-known/jwks.json']!(view())) as HttpReply;
    expect((JSON.parse(second.body) as { keys: unknown[] }).keys).to.have.length(2);
    expect(second.headers.etag).not.to.equal(first.headers.etag);
  });

  it('JWKS JSON round-trips through what a verifier reads back', () => {
    const key = rsaKey();
    const [back] = parseJwksJson(JSON.parse(JSON.stringify(toJwksJson([key]))));
    expect(fromPublicJwk(back!)?.kid).to.equal(key.kid);
    const { publicKey } = generateKeyPairSync('ec', { namedCurve: 'P-256' });
    const ec = toPublicJwk(jwkThumbprint(publicKey), 'ES256', publicKey);
    expect(Object.keys(toJwksJson([ec]).keys[0]!).sort()).to.deep.equal(['alg', 'crv', 'kid', 'kty', 'use', 'x', 'y']);
  });
});

describe('cacheable JSON answers', () => {
  it('a strong ETag that changes with the content; 304 for *, the tag, a list holding it, or its weak form', () => {
    const a = cacheableJson({ v: 1 }, 60, {});
    expect(a.headers['cache-control']).to.equal('public, max-age=60');
    expect(cacheableJson({ v: 2 }, 60, {}).headers.etag).not.to.equal(a.headers.etag);
    for (const inm of [a.headers.etag!, `"x", ${a.headers.etag}`, `W/${a.headers.etag}`, '*']) expect(cacheableJson({ v: 1 }, 60, { 'if-none-match': inm }).status, inm).to.equal(304);
    for (const inm of ['"x"', '', 'W/"x"', a.headers.etag!.slice(1)]) expect(cacheableJson({ v: 1 }, 60, { 'if-none-match': inm }).status, inm).to.equal(200);
  });
});
