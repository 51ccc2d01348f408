import { createPublicKey, createSecretKey, randomUUID } from 'node:crypto';
import { status } from '@grpc/grpc-js';
import { expect } from 'chai';
import jwt from 'jsonwebtoken';
import { createAuthClient, createDashboardClient, createKeysClient, type AuthClient, type DashboardClient } from '@grpc-token-auth/sdk';
import { adminCommand } from '../support/admin-commands.js';
import { bearer, expectStatus } from '../support/grpc.js';
import { startSystem, testEnv, type RunningSystem } from '../support/system.js';
import { authSigningKey, forgeToken } from '../support/tokens.js';

const kidOf = (token: string) => (jwt.decode(token, { complete: true }) as jwt.Jwt).header.kid!;

describe('asymmetric signing keys (real processes)', () => {
  let sys: RunningSystem;
  let auth: AuthClient;
  let dashboard: DashboardClient;
  const email = 'keys@example.com';
  const password = 'correct-horse-battery-staple';
  const login = () => auth.login({ email, password }).then((r) => r.accessToken);

  before(async () => {
    sys = await startSystem({ KEYS_REFRESH_SECONDS: '1', KEYS_MIN_FETCH_INTERVAL_MS: '500' });
    auth = createAuthClient(sys.authAddress);
    dashboard = createDashboardClient(sys.businessAddress);
    await auth.register({ email, password, displayName: 'Keys' });
  });
  after(async () => {
    auth?.close();
    dashboard?.close();
    await sys?.stop();
  });

  it('publishes only public RSA keys, JWKS-shaped, with no token needed', async () => {
    const keys = createKeysClient(sys.authAddress);
    const res = await keys.listPublicKeys({});
    keys.close();
    expect(res.keys.length).to.be.greaterThan(0);
    const k = res.keys[0]!;
    expect(k).to.include({ alg: 'RS256', kty: 'RSA', use: 'sig', kid: kidOf(await login()) });
    expect(JSON.stringify(res)).not.to.match(/"d"|PRIVATE/);
  });

  it('refuses algorithm confusion: an HS256 token keyed with the public key', async () => {
    const pub = authSigningKey(sys.dataDir);
    const pem = createPublicKey(pub.key).export({ format: 'pem', type: 'spki' });
    const confused = jwt.sign({ typ: 'user', roles: ['admin'] }, createSecretKey(Buffer.from(pem)), {
      algorithm: 'HS256', keyid: pub.kid, subject: 'mallory', issuer: 'auth-svc-test', audience: 'grpc-token-auth-test', expiresIn: 60, jwtid: randomUUID(),
    });
    await expectStatus(dashboard.getDashboard({}, { metadata: bearer(confused) }), status.UNAUTHENTICATED, /algorithm must be RS256/);
  });

  it('keeps refetches bounded under a storm of unknown kids', async () => {
    const fetchesBefore = countKeyFetches(sys);
    const started = Date.now();
    for (let i = 0; i < 300; i++) {
      const forged = forgeToken('mallory', { signWith: authSigningKey(sys.dataDir), kid: `garbage-${i}` });
      await expectStatus(dashboard.getDashboard({}, { metadata: bearer(forged) }), status.UNAUTHENTICATED, /unknown key/);
    }
    await new Promise((r) => setTimeout(r, 200));
    const seconds = (Date.now() - started) / 1000;
    const fetches = countKeyFetches(sys) - fetchesBefore;
    // At most one per 500 ms for the storm, plus the 1 s periodic refreshes.
    expect(fetches).to.be.at.most(Math.ceil(seconds * 2) + Math.ceil(seconds) + 2);
  });

  it('rotates keys under live traffic with zero failed calls for valid tokens', async function () {
    this.timeout(30_000);
    const firstKid = kidOf(await login());
    let ok = 0;
    const failures: string[] = [];
    const kids = new Set<string>();
    let running = true;
    const traffic = (async () => {
      while (running) {
        const token = await login();
        kids.add(kidOf(token));
        for (let i = 0; i < 5; i++) {
          try {
            await dashboard.getDashboard({}, { metadata: bearer(token) });
            ok++;
          } catch (err) {
            failures.push((err as Error).message);
          }
        }
      }
    })();
    await new Promise((r) => setTimeout(r, 500));
    await runRotate(sys, 4); // > key pick-up (1 s) + verifier refresh (1 s), with room for a loaded machine
    const deadline = Date.now() + 10_000;
    while (kids.size < 2 && Date.now() < deadline) await new Promise((r) => setTimeout(r, 100));
    await new Promise((r) => setTimeout(r, 500));
    running = false;
    await traffic;
    expect(failures).to.deep.equal([]);
    expect(kids.size, 'tokens from both the old and the new key').to.equal(2);
    expect(kids.has(firstKid)).to.equal(true);
    expect(ok).to.be.greaterThan(20);
    // A token from the old key still verifies after the new one took over.
    const oldToken = forgeToken('someone', { signWith: { ...authSigningKey(sys.dataDir, firstKid) } });
    expect((await dashboard.getDashboard({}, { metadata: bearer(oldToken) })).userId).to.equal('someone');
  });

  it('keeps accepting valid tokens from the cached key set while auth-svc is down', async () => {
    const token = await login();
    await sys.auth.stop('SIGKILL');
    await new Promise((r) => setTimeout(r, 1500)); // past a periodic refresh, which fails
    for (let i = 0; i < 5; i++) {
      expect((await dashboard.getDashboard({}, { metadata: bearer(token) })).userId).to.be.a('string');
    }
    expect(sys.business.output.join('\n')).to.include('could not refresh verification keys');
  });
});

function countKeyFetches(sys: RunningSystem): number {
  return sys.auth.output.filter((l) => l.includes('/auth.v1.KeysService/ListPublicKeys')).length;
}

async function runRotate(sys: RunningSystem, publishAheadSeconds: number): Promise<void> {
  await adminCommand('keys-rotate', ['--publish-ahead-seconds', String(publishAheadSeconds)], testEnv(sys.dataDir));
}
