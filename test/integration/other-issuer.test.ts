import { createPublicKey, createSecretKey, generateKeyPairSync } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { status } from '@grpc/grpc-js';
import { expect } from 'chai';
import jwt from 'jsonwebtoken';
import { spawnService, type ServiceProcess } from '../../scripts/support/service-process.js';
import { createAuthClient, createDashboardClient, createNotesClient, type DashboardClient } from '@grpc-token-auth/sdk';
import { within } from '../support/eventually.js';
import { bearer, expectStatus } from '../support/grpc.js';
import { startStandInIssuer, type StandInIssuer } from '../support/stand-in-issuer.js';
import { TEST_AUDIENCE, testEnv } from '../support/system.js';

/**
 * business-svc trusting another team's identity provider instead of auth-svc: a stand-in
 * issuer in this process (its own ES256 key over loopback HTTP), auth-svc running beside
 * it only to show that our own tokens are then refused.
 */
describe('business-svc trusting another OIDC issuer (JWKS_URL / OIDC_ISSUER_URL, real processes)', () => {
  let idp: StandInIssuer;
  let dir: string;
  let auth: ServiceProcess;
  let business: ServiceProcess;
  let dashboard: DashboardClient;
  const running: ServiceProcess[] = [];
  const dashboardAs = (token: string, client = dashboard) => client.getDashboard({}, { metadata: bearer(token) });
  const jwksFetches = () => idp.requests.filter((r) => r.path === '/idp/keys').length;

  before(async () => {
    idp = await startStandInIssuer();
    dir = mkdtempSync(join(tmpdir(), 'grpc-token-auth-other-issuer-'));
    auth = await spawnService('auth-svc', { env: testEnv(dir) });
    business = await spawnService('business-svc', {
      env: testEnv(dir, { JWKS_URL: idp.jwksUrl, JWT_ISSUER: idp.issuer, KEYS_MIN_FETCH_INTERVAL_MS: '500', KEYS_REFRESH_SECONDS: '1' }),
    });
    running.push(auth, business);
    dashboard = createDashboardClient(`127.0.0.1:${business.port}`);
  });
  after(async () => {
    dashboard?.close();
    await Promise.all(running.map((s) => s.stop()));
    await idp?.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it('says at start that there is no revocation stream', () => {
    const warning = business.output.find((l) => l.includes('no revocation stream'));
    expect(warning, 'a warning at start').to.be.a('string');
    expect(JSON.parse(warning!)).to.include({ level: 40, issuer: idp.issuer });
  });

  it('accepts that issuer\'s tokens, for every service of business-svc', async () => {
    const res = await dashboardAs(idp.sign('ext-user-1', { claims: { roles: ['user', 'reader'] } }));
    expect(res.userId).to.equal('ext-user-1');
    expect(res.roles).to.deep.equal(['user', 'reader']);
    expect(res.degraded, 'no user directory without auth-svc').to.equal(true);
    const notes = createNotesClient(`127.0.0.1:${business.port}`);
    try {
      const token = idp.sign('ext-user-1');
      const { note } = await notes.createNote({ title: 'from elsewhere', body: '' }, { metadata: bearer(token) });
      expect(note?.title).to.equal('from elsewhere');
    } finally {
      notes.close();
    }
  });

  it('refuses our own auth-svc\'s tokens, and forged ones', async () => {
    const authClient = createAuthClient(`127.0.0.1:${auth.port}`);
    const email = 'ours@example.com';
    const password = 'correct-horse-battery-staple';
    await authClient.register({ email, password, displayName: 'Ours' });
    const ours = (await authClient.login({ email, password })).accessToken;
    authClient.close();
    await expectStatus(dashboardAs(ours), status.UNAUTHENTICATED, /unknown key/);

    const kid = (jwt.decode(idp.sign('x'), { complete: true })!.header.kid)!;
    const otherKey = generateKeyPairSync('ec', { namedCurve: 'P-256' }).privateKey;
    const publicPem = createPublicKey(otherKey).export({ format: 'pem', type: 'spki' });
    const forged: [string, string, RegExp][] = [
      ['another key under the issuer\'s kid', idp.sign('mallory', { key: otherKey, kid }), /signature is invalid/],
      ['the issuer\'s key, another iss', idp.sign('mallory', { issuer: 'https://evil.example' }), /issuer is not trusted/],
      ['the issuer\'s key, another audience', idp.sign('mallory', { audience: 'someone-else' }), /not meant for this service/],
      ['expired beyond the skew', idp.sign('mallory', { expiresIn: -120 }), /expired/],
      ['alg none', `${Buffer.from(JSON.stringify({ alg: 'none', kid })).toString('base64url')}.${Buffer.from(JSON.stringify({ sub: 'mallory', iss: idp.issuer, aud: TEST_AUDIENCE })).toString('base64url')}.`, /unsigned/],
      ['HS256 keyed with a public key', jwt.sign({ sub: 'mallory' }, createSecretKey(Buffer.from(publicPem)), { algorithm: 'HS256', keyid: kid, issuer: idp.issuer, audience: TEST_AUDIENCE, expiresIn: 60, jwtid: 'j' }), /algorithm must be ES256/],
    ];
    for (const [what, token, details] of forged) {
      const err = await expectStatus(dashboardAs(token), status.UNAUTHENTICATED);
      expect(err.details, what).to.match(details);
    }
  });

  it('keeps key fetches bounded under a storm of unknown kids (KEYS_MIN_FETCH_INTERVAL_MS), revalidating with If-None-Match', async () => {
    const before = jwksFetches();
    const started = Date.now();
    for (let i = 0; i < 200; i++) await expectStatus(dashboardAs(idp.sign('mallory', { kid: `garbage-${i}` })), status.UNAUTHENTICATED, /unknown key/);
    const seconds = (Date.now() - started) / 1000;
    // At most one per 500 ms for the storm, plus the 1 s periodic refreshes.
    expect(jwksFetches() - before).to.be.at.most(Math.ceil(seconds * 2) + Math.ceil(seconds) + 2);
    // A storm shorter than the interval (Node 24+ answers 200 refusals in ~0.3 s) fetched nothing:
    // the next fetch, periodic or asked for by an unknown kid, revalidates the unchanged set.
    await within(3000, async () => {
      await expectStatus(dashboardAs(idp.sign('mallory', { kid: 'garbage-late' })), status.UNAUTHENTICATED, /unknown key/);
      return idp.requests.some((r) => r.path === '/idp/keys' && r.status === 304);
    }, 'an unchanged set costs a 304');
  });

  it('picks up the issuer\'s key rotation on the first token that names the new kid', async () => {
    idp.rotate();
    const token = idp.sign('ext-user-2');
    await within(3000, async () => dashboardAs(token).then(() => true, () => false), 'a token from the new key is accepted');
  });

  it('OIDC_ISSUER_URL: finds the JWKS through discovery and accepts the issuer\'s tokens', async () => {
    const viaDiscovery = await spawnService('business-svc', {
      env: testEnv(dir, { BUSINESS_DB_PATH: join(dir, 'business-2.db'), OIDC_ISSUER_URL: idp.issuer, JWT_ISSUER: '' }),
    });
    running.push(viaDiscovery);
    const client = createDashboardClient(`127.0.0.1:${viaDiscovery.port}`);
    try {
      expect((await dashboardAs(idp.sign('ext-user-3'), client)).userId).to.equal('ext-user-3');
      expect(idp.requests.some((r) => r.path === '/idp/.well-known/openid-configuration')).to.equal(true);
      await expectStatus(dashboardAs(idp.sign('ext-user-3', { issuer: 'auth-svc-test' }), client), status.UNAUTHENTICATED, /issuer is not trusted/);
    } finally {
      client.close();
    }
  });

  it('keeps verifying with the cached keys while the issuer is down', async () => {
    const token = idp.sign('ext-user-4');
    await idp.close();
    await new Promise((r) => setTimeout(r, 1500)); // past a periodic refresh, which fails
    for (let i = 0; i < 3; i++) expect((await dashboardAs(token)).userId).to.equal('ext-user-4');
    expect(business.output.join('\n')).to.include('could not refresh verification keys');
  });
});
