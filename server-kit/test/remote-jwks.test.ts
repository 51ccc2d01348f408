import { generateKeyPairSync } from 'node:crypto';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { expect } from 'chai';
import { remoteJwksFetcher } from '../dist/index.js';
import { discoverJwksUri, fromPublicJwk, MAX_DOCUMENT_BYTES, parseJwksJson } from '../dist/internal.js';

// One key of each type, reused under different kids (RSA generation is slow).
const RSA = generateKeyPairSync('rsa', { modulusLength: 2048 }).publicKey.export({ format: 'jwk' });
const EC = generateKeyPairSync('ec', { namedCurve: 'P-256' }).publicKey.export({ format: 'jwk' });
const rsa = () => ({ ...RSA });
const ec = () => ({ ...EC });

describe('another issuer\'s JWKS document', () => {
  const usable = (doc: unknown) => parseJwksJson(doc).map(fromPublicJwk).filter(Boolean).map((k) => [k!.kid, k!.alg]);

  it('fills in what providers often leave out: use = sig, alg from key type and curve', () => {
    expect(usable({ keys: [{ ...rsa(), kid: 'r' }, { ...ec(), kid: 'e' }] })).to.deep.equal([['r', 'RS256'], ['e', 'ES256']]);
  });

  it('drops encryption keys, symmetric keys, unsupported curves and algorithms, keys without kid, and junk', () => {
    const p384 = generateKeyPairSync('ec', { namedCurve: 'P-384' }).publicKey.export({ format: 'jwk' });
    const doc = {
      keys: [
        { ...rsa(), kid: 'enc', use: 'enc' },
        { kty: 'oct', k: 'c2VjcmV0', kid: 'oct', alg: 'HS256' },
        { ...p384, kid: 'p384' },
        { ...rsa(), kid: 'ps256', alg: 'PS256' },
        { ...rsa(), kid: 'mislabelled', alg: 'ES256' },
        { ...rsa() },
        null,
        'text',
        { ...ec(), kid: 'good' },
      ],
    };
    expect(usable(doc)).to.deep.equal([['good', 'ES256']]);
  });

  it('refuses documents that are not a JWKS, and reads at most 100 keys', () => {
    for (const bad of [null, [], {}, { keys: 'x' }, 'x']) expect(() => parseJwksJson(bad), JSON.stringify(bad)).to.throw(/not a JWKS/);
    const one = { ...ec(), kid: 'k' };
    expect(parseJwksJson({ keys: Array.from({ length: 500 }, () => one) })).to.have.length(100);
  });
});

describe('fetching another issuer\'s keys over HTTP', () => {
  let server: Server;
  let base: string;
  let handle: (req: IncomingMessage, res: ServerResponse) => void;
  before(async () => {
    server = createServer((req, res) => handle(req, res));
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  });
  after(() => new Promise<void>((r) => (server.closeAllConnections(), server.close(() => r()))));
  const json = (res: ServerResponse, body: unknown, headers: Record<string, string> = {}) => res.writeHead(200, { 'content-type': 'application/json', ...headers }).end(JSON.stringify(body));

  it('revalidates with If-None-Match and keeps the keys on a 304', async () => {
    const seen: (string | undefined)[] = [];
    const key = { ...ec(), kid: 'k1' };
    handle = (req, res) => {
      seen.push(req.headers['if-none-match']);
      if (req.headers['if-none-match'] === '"v1"') return void res.writeHead(304, { etag: '"v1"' }).end();
      json(res, { keys: [key] }, { etag: '"v1"' });
    };
    const fetch = remoteJwksFetcher({ jwksUrl: `${base}/jwks` });
    expect((await fetch()).keys.map((k) => k.kid)).to.deep.equal(['k1']);
    expect((await fetch()).keys.map((k) => k.kid)).to.deep.equal(['k1']);
    expect(seen).to.deep.equal([undefined, '"v1"']);
  });

  it('refuses redirects, errors, non-JSON and oversized answers (the cache then keeps what it had)', async () => {
    const cases: [string, (res: ServerResponse) => void, RegExp][] = [
      ['redirect', (res) => res.writeHead(302, { location: 'http://169.254.169.254/' }).end(), /fetch failed|redirect/i],
      ['503', (res) => res.writeHead(503).end(), /HTTP 503/],
      ['not JSON', (res) => res.writeHead(200).end('<html>'), /did not answer JSON/],
      ['huge, announced', (res) => res.writeHead(200, { 'content-length': String(MAX_DOCUMENT_BYTES + 1) }).end('x'.repeat(MAX_DOCUMENT_BYTES + 1)), /more than/],
      ['huge, chunked', (res) => (res.writeHead(200), res.end('x'.repeat(MAX_DOCUMENT_BYTES * 2))), /more than/],
    ];
    for (const [what, answer, error] of cases) {
      handle = (_req, res) => answer(res);
      let err: unknown;
      await remoteJwksFetcher({ jwksUrl: `${base}/jwks` })().catch((e: unknown) => (err = e));
      expect(String(err), what).to.match(error);
    }
  });

  it('gives up on a server that does not answer within the deadline', async () => {
    handle = () => undefined; // never answers
    let err: unknown;
    const started = Date.now();
    await remoteJwksFetcher({ jwksUrl: `${base}/jwks` }, 200)().catch((e: unknown) => (err = e));
    expect(String(err)).to.match(/abort|timeout/i);
    expect(Date.now() - started).to.be.below(2000);
  });

  it('discovery: takes jwks_uri only from a document that names the issuer asked about', async () => {
    const issuer = `${base}/tenant`;
    let doc: Record<string, unknown> = {};
    handle = (req, res) => (req.url === '/tenant/.well-known/openid-configuration' ? json(res, doc) : res.writeHead(404).end());
    doc = { issuer, jwks_uri: `${base}/keys` };
    expect(await discoverJwksUri(issuer, 1000)).to.equal(`${base}/keys`);
    expect(await discoverJwksUri(`${issuer}`, 1000)).to.equal(`${base}/keys`);
    for (const bad of [{ issuer: 'https://evil.example', jwks_uri: `${base}/keys` }, { issuer }, { issuer, jwks_uri: 'file:///etc/passwd' }, { issuer, jwks_uri: 'not a url' }]) {
      doc = bad;
      let err: unknown;
      await discoverJwksUri(issuer, 1000).catch((e: unknown) => (err = e));
      expect(String(err), JSON.stringify(bad)).to.match(/names another issuer|no usable jwks_uri/);
    }
  });
});
