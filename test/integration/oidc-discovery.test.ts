import { generateKeyPairSync, randomUUID } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { expect } from 'chai';
import { createRemoteJWKSet, jwtVerify, type JWTVerifyGetKey } from 'jose';
import jwt from 'jsonwebtoken';
import { spawnService, type ServiceProcess } from '../../scripts/support/service-process.js';
import { createAuthClient, createKeysClient, type AuthClient } from '@grpc-token-auth/sdk';
import { adminCommand } from '../support/admin-commands.js';
import { within } from '../support/eventually.js';
import { httpRequest, rawConnection, untilClosed } from '../support/http.js';
import { startSystem, TEST_AUDIENCE, testEnv, type RunningSystem } from '../support/system.js';

interface Discovery {
  issuer: string;
  jwks_uri: string;
  id_token_signing_alg_values_supported: string[];
  response_types_supported: string[];
  subject_types_supported: string[];
}

const getJson = async <T>(port: number, path: string): Promise<T> => {
  const res = await httpRequest(port, path);
  expect(res.status, `GET ${path}`).to.equal(200);
  expect(res.contentType).to.equal('application/json');
  return JSON.parse(res.body) as T;
};

describe('OIDC discovery and JWKS over HTTP (real processes)', () => {
  let sys: RunningSystem;
  let auth: AuthClient;
  let port: number;
  const email = 'oidc@example.com';
  const password = 'correct-horse-battery-staple';
  const login = () => auth.login({ email, password }).then((r) => r.accessToken);

  before(async () => {
    sys = await startSystem();
    port = sys.auth.httpPort!;
    auth = createAuthClient(sys.authAddress);
    await auth.register({ email, password, displayName: 'Oidc' });
  });
  after(async () => {
    auth?.close();
    await sys?.stop();
  });

  it('announces its own port and serves a discovery document with the members verifiers need', async () => {
    expect(port).to.be.a('number').and.not.equal(sys.auth.port).and.not.equal(sys.auth.metricsPort);
    const doc = await getJson<Discovery>(port, '/.well-known/openid-configuration');
    expect(doc.issuer).to.equal('auth-svc-test');
    expect(doc.jwks_uri).to.equal(`http://127.0.0.1:${port}/.well-known/jwks.json`);
    expect(doc.id_token_signing_alg_values_supported).to.deep.equal(['RS256']);
    expect(doc.subject_types_supported).to.deep.equal(['public']);
    expect(doc.response_types_supported).to.be.an('array');
  });

  it('an independent client (jose createRemoteJWKSet) verifies a Login token using only the discovery document', async () => {
    const doc = await getJson<Discovery>(port, '/.well-known/openid-configuration');
    const keys = createRemoteJWKSet(new URL(doc.jwks_uri));
    const verify = (token: string, keySet: JWTVerifyGetKey = keys) =>
      jwtVerify(token, keySet, { issuer: doc.issuer, audience: TEST_AUDIENCE, algorithms: doc.id_token_signing_alg_values_supported });
    const token = await login();
    const { payload } = await verify(token);
    expect(payload.sub).to.be.a('string');
    expect(payload.sid).to.be.a('string');
    // Same claims, but signed with a key auth-svc never had: jose refuses it.
    const { privateKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
    const header = jwt.decode(token, { complete: true })!.header;
    const forged = jwt.sign(payload as jwt.JwtPayload, privateKey, { algorithm: 'RS256', keyid: header.kid });
    let refused: unknown;
    await verify(forged).catch((err: unknown) => (refused = err));
    expect((refused as { code?: string } | undefined)?.code).to.equal('ERR_JWS_SIGNATURE_VERIFICATION_FAILED');
  });

  it('serves the same keys as KeysService/ListPublicKeys, RFC 7517 members only, never private parts', async () => {
    const jwks = await getJson<{ keys: Record<string, string>[] }>(port, '/.well-known/jwks.json');
    const client = createKeysClient(sys.authAddress);
    const grpc = await client.listPublicKeys({});
    client.close();
    expect(jwks.keys.map((k) => [k.kid, k.n, k.e])).to.deep.equal(grpc.keys.map((k) => [k.kid, k.n, k.e]));
    for (const k of jwks.keys) expect(Object.keys(k).sort()).to.deep.equal(['alg', 'e', 'kid', 'kty', 'n', 'use']);
    expect(JSON.stringify(jwks)).not.to.match(/"d"|"p"|"q"|PRIVATE/);
  });

  it('is cacheable: Cache-Control max-age, a strong ETag, 304 for If-None-Match (also in a list or weak)', async () => {
    for (const path of ['/.well-known/jwks.json', '/.well-known/openid-configuration']) {
      const first = await httpRequest(port, path);
      expect(first.headers['cache-control'], path).to.match(/^public, max-age=\d+$/);
      const etag = first.headers.etag!;
      expect(etag, path).to.match(/^"[A-Za-z0-9_-]+"$/);
      for (const ifNoneMatch of [etag, `"other", ${etag}`, `W/${etag}`, '*']) {
        const again = await httpRequest(port, path, { headers: { 'if-none-match': ifNoneMatch } });
        expect([again.status, again.body, again.headers.etag], ifNoneMatch).to.deep.equal([304, '', etag]);
      }
      expect((await httpRequest(port, path, { headers: { 'if-none-match': '"stale"' } })).status).to.equal(200);
    }
  });

  it('shows a rotation (keys:rotate) within 1 s, with a new ETag', async () => {
    const before = await httpRequest(port, '/.well-known/jwks.json');
    const kids = (body: string) => (JSON.parse(body) as { keys: { kid: string }[] }).keys.map((k) => k.kid);
    const out = await adminCommand('keys-rotate', ['--publish-ahead-seconds', '120'], testEnv(sys.dataDir));
    const kid = /new signing key ([\w-]+)/.exec(out)![1]!;
    await within(1000, async () => kids((await httpRequest(port, '/.well-known/jwks.json')).body).includes(kid), 'the new key in the JWKS');
    const after = await httpRequest(port, '/.well-known/jwks.json', { headers: { 'if-none-match': before.headers.etag! } });
    expect(after.status, 'the old ETag no longer matches').to.equal(200);
    expect(kids(after.body)).to.include.members([...kids(before.body), kid]);
  });

  it('answers only GET/HEAD on known paths: 404, 405, 413, 431; one client cannot take every connection', async () => {
    expect((await httpRequest(port, '/.well-known/jwks.json', { method: 'HEAD' })).status).to.equal(200);
    for (const path of ['/', '/metrics', '/.well-known/', '/.well-known/jwks.json/..', '/.WELL-KNOWN/jwks.json']) {
      expect((await httpRequest(port, path)).status, path).to.equal(404);
    }
    for (const method of ['POST', 'PUT', 'DELETE', 'PATCH']) expect((await httpRequest(port, '/.well-known/jwks.json', { method })).status, method).to.equal(405);
    expect((await httpRequest(port, '/.well-known/jwks.json', { body: 'x'.repeat(1000), headers: { 'content-type': 'text/plain' } })).status).to.equal(413);
    expect((await httpRequest(port, '/.well-known/jwks.json', { headers: { 'x-junk': 'a'.repeat(16 * 1024) } })).status).to.equal(431);
    // 8 connections per client address (the default); the next one is closed at once.
    const held = await Promise.all(Array.from({ length: 8 }, () => rawConnection(port)));
    try {
      const extra = await rawConnection(port);
      expect((await untilClosed(extra, 2000)).closed).to.equal(true);
      const other = await rawConnection(port, '127.0.0.2');
      other.write('GET /.well-known/jwks.json HTTP/1.1\r\nhost: x\r\nconnection: close\r\n\r\n');
      expect((await untilClosed(other, 2000)).received, 'another client is still served').to.match(/^HTTP\/1\.1 200 /);
    } finally {
      for (const s of held) s.destroy();
    }
  });
});

describe('OIDC discovery under an issuer URL, and switched off (real processes)', () => {
  const dirs: string[] = [];
  const running: ServiceProcess[] = [];
  const authAlone = async (extra: NodeJS.ProcessEnv) => {
    const dir = mkdtempSync(join(tmpdir(), 'grpc-token-auth-oidc-'));
    dirs.push(dir);
    const auth = await spawnService('auth-svc', { env: testEnv(dir, extra) });
    running.push(auth);
    return auth;
  };
  after(async () => {
    await Promise.all(running.map((s) => s.stop()));
    for (const d of dirs) rmSync(d, { recursive: true, force: true });
  });

  it('lives under JWT_ISSUER\'s path when it is an https URL, with jwks_uri under the issuer', async () => {
    const issuer = `https://id.example.test/tenant-${randomUUID().slice(0, 8)}`;
    const auth = await authAlone({ JWT_ISSUER: issuer });
    const path = new URL(issuer).pathname;
    const doc = await getJson<Discovery>(auth.httpPort!, `${path}/.well-known/openid-configuration`);
    expect(doc.issuer).to.equal(issuer);
    expect(doc.jwks_uri).to.equal(`${issuer}/.well-known/jwks.json`);
    expect((await getJson<{ keys: unknown[] }>(auth.httpPort!, `${path}/.well-known/jwks.json`)).keys).to.have.length(1);
    expect((await httpRequest(auth.httpPort!, '/.well-known/openid-configuration')).status, 'not at the root').to.equal(404);
  });

  it('refuses a JWT_ISSUER URL with a query or credentials (exit 78)', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'grpc-token-auth-oidc-'));
    dirs.push(dir);
    let error = '';
    await spawnService('auth-svc', { env: testEnv(dir, { JWT_ISSUER: 'https://user:pw@id.example.test/?x=1' }) }).catch((e: Error) => (error = e.message));
    expect(error).to.match(/exited with code 78/).and.match(/JWT_ISSUER, when a URL, must be a plain http\(s\) URL/);
  });

  it('AUTH_HTTP_PORT=off: no HTTP listener', async () => {
    const auth = await authAlone({ AUTH_HTTP_PORT: 'off' });
    expect(auth.httpPort).to.equal(undefined);
    expect(auth.output.some((l) => l.includes('http listening'))).to.equal(false);
  });
});
