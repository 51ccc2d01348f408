import { execFile } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { status } from '@grpc/grpc-js';
import { expect } from 'chai';
import jwt from 'jsonwebtoken';
import pg from 'pg';
import { createAuthClient, createDashboardClient, createKeysClient, type AuthClient, type DashboardClient, type KeysClient } from '@grpc-token-auth/sdk';
import { openAuthStore, type AuthStore } from '../../auth-svc/store/index.js';
import { Revoker } from '../../auth-svc/sessions/revoker.js';
import { BUSINESS_SVC_SCOPES, businessUpstreamEnv, provisionServiceClient } from '../../scripts/support/service-client-cli.js';
import { spawnService, type ServiceProcess } from '../../scripts/support/service-process.js';
import { failsWith, within } from '../support/eventually.js';
import { bearer, expectStatus } from '../support/grpc.js';
import { SKIP_POSTGRES, sharedTestPostgres } from '../support/postgres.js';
import { testEnv } from '../support/system.js';

const ROTATE = fileURLToPath(new URL('../../scripts/keys-rotate.js', import.meta.url));
/** The test server trusts loopback, so any password works; this one must never reach a log. */
const DB_PASSWORD = 'pg-password-never-logged-7f3a';
const kidOf = (token: string) => (jwt.decode(token, { complete: true }) as jwt.Jwt).header.kid!;

const suite = SKIP_POSTGRES ? describe.skip : describe;

suite('two auth-svc replicas on one PostgreSQL (real processes)', function () {
  this.timeout(60_000);
  let dataDir: string;
  let env: NodeJS.ProcessEnv;
  let replicaA: ServiceProcess;
  let replicaB: ServiceProcess;
  let business: ServiceProcess;
  let authA: AuthClient;
  let authB: AuthClient;
  let dashboard: DashboardClient;
  const password = 'correct-horse-battery-staple';
  let n = 0;

  before(async () => {
    const url = new URL(await (await sharedTestPostgres()).createDatabase());
    url.password = DB_PASSWORD;
    dataDir = mkdtempSync(join(tmpdir(), 'auth-replicas-'));
    // RS256 keys in the shared database; AUTH_DB_PATH is set but must stay unused.
    env = testEnv(dataDir, { DATABASE_URL: url.toString(), KEYS_REFRESH_SECONDS: '1', KEYS_MIN_FETCH_INTERVAL_MS: '500' });
    replicaA = await spawnService('auth-svc', { env });
    replicaB = await spawnService('auth-svc', { env });
    const client = await provisionServiceClient('business-svc', BUSINESS_SVC_SCOPES, env);
    // business-svc knows only replica B: its revocation stream and keys come from there.
    business = await spawnService('business-svc', {
      env: { ...env, ...businessUpstreamEnv(client, `127.0.0.1:${replicaB.port}`) },
    });
    authA = createAuthClient(`127.0.0.1:${replicaA.port}`);
    authB = createAuthClient(`127.0.0.1:${replicaB.port}`);
    dashboard = createDashboardClient(`127.0.0.1:${business.port}`);
  });

  after(async () => {
    authA?.close();
    authB?.close();
    dashboard?.close();
    await Promise.all([replicaA?.stop(), replicaB?.stop(), business?.stop()]);
    if (dataDir) rmSync(dataDir, { recursive: true, force: true });
  });

  async function newUserOn(auth: AuthClient): Promise<string> {
    const email = `replica-user${++n}@example.com`;
    await auth.register({ email, password, displayName: `User ${n}` });
    return email;
  }
  const dashboardWith = (token: string) => dashboard.getDashboard({}, { metadata: bearer(token) });
  const publishedKids = async (port: number) => {
    const keys: KeysClient = createKeysClient(`127.0.0.1:${port}`);
    try {
      return (await keys.listPublicKeys({})).keys.map((k) => k.kid);
    } finally {
      keys.close();
    }
  };

  it('keeps everything in PostgreSQL: no SQLite file, and the URL password in no log line', () => {
    for (const replica of [replicaA, replicaB]) {
      expect(replica.output.find((l) => l.includes('store: postgres')), 'where it keeps its data, password masked').to.include(':***@127.0.0.1:');
      expect(replica.output.join('\n')).not.to.include(DB_PASSWORD);
    }
    expect(business.output.join('\n')).not.to.include(DB_PASSWORD);
    expect(existsSync(join(dataDir, 'auth.db')), 'AUTH_DB_PATH unused').to.equal(false);
  });

  it('an account registered on replica A logs in on replica B; B refreshes A\'s session', async () => {
    const email = await newUserOn(authA);
    const viaB = await authB.login({ email, password });
    expect((await dashboardWith(viaB.accessToken)).userId).to.equal(viaB.userId);
    const refreshedOnA = await authA.refresh({ refreshToken: viaB.refreshToken });
    expect(refreshedOnA.sessionId).to.equal(viaB.sessionId);
  });

  it('one refresh token used on both replicas at once: one rotation, both answered with the same successor', async () => {
    const email = await newUserOn(authA);
    const first = await authA.login({ email, password });
    const results = await Promise.all([
      authA.refresh({ refreshToken: first.refreshToken }),
      authB.refresh({ refreshToken: first.refreshToken }),
    ]);
    expect(new Set(results.map((r) => r.refreshToken)).size, 'one live refresh token').to.equal(1);
    await authB.refresh({ refreshToken: results[0]!.refreshToken });
    await expectStatus(authA.refresh({ refreshToken: first.refreshToken }), status.UNAUTHENTICATED, /already used/);
  });

  it('a logout through replica A is refused within 1 s by a verifier that only watches replica B', async () => {
    const email = await newUserOn(authA);
    const session = await authA.login({ email, password });
    const other = await authB.login({ email, password });
    expect((await dashboardWith(session.accessToken)).userId).to.equal(session.userId);
    await authA.logout({}, { metadata: bearer(session.accessToken) });
    await within(1000, () => failsWith(dashboardWith(session.accessToken), status.UNAUTHENTICATED), 'business-svc (via B) refuses the revoked session');
    expect((await dashboardWith(other.accessToken)).userId, 'the other session lives on').to.equal(other.userId);
    // Replica B itself refuses it too (its own verifier hears the same push).
    expect(await failsWith(authB.logoutAll({}, { metadata: bearer(session.accessToken) }), status.UNAUTHENTICATED)).to.equal(true);
  });

  it('keys:rotate against the database is published by both replicas, and both sign with the new key once active', async () => {
    const before = await publishedKids(replicaA.port);
    expect(await publishedKids(replicaB.port)).to.have.members(before);
    const out = await promisify(execFile)(process.execPath, [ROTATE, '--publish-ahead-seconds', '0'], { env });
    const kid = /new signing key (\S+):/.exec(out.stdout)?.[1];
    expect(kid, out.stdout).to.be.a('string');
    for (const port of [replicaA.port, replicaB.port]) {
      await within(1000, async () => (await publishedKids(port)).includes(kid!), `replica on ${port} publishes the new key`);
    }
    const email = await newUserOn(authB);
    for (const auth of [authA, authB]) {
      const token = (await auth.login({ email, password })).accessToken;
      expect(kidOf(token)).to.equal(kid);
    }
  });
});

suite('PostgreSQL change feed', function () {
  this.timeout(30_000);
  let url: string;
  const stores: AuthStore[] = [];

  before(async () => {
    url = await (await sharedTestPostgres()).createDatabase();
  });
  after(async () => {
    for (const s of stores.splice(0)) await s.close();
  });

  it('reconnects after its connection is killed, then catches up on what was revoked meanwhile', async () => {
    const errors: string[] = [];
    const watchingStore = await openAuthStore({ dbPath: 'unused', databaseUrl: url }, (err) => errors.push(err.message));
    const writingStore = await openAuthStore({ dbPath: 'unused', databaseUrl: url });
    stores.push(watchingStore, writingStore);
    const watching = await Revoker.open(watchingStore.revocations, 60_000);
    const heard: string[] = [];
    watching.subscribe((entries) => heard.push(...entries.map((e) => e.sessionId)));
    watching.watchOtherWriters(watchingStore.changes, (err) => errors.push(err.message));
    const writing = await Revoker.open(writingStore.revocations, 60_000);
    try {
      await writing.revoke(['before-drop']);
      await within(1000, async () => heard.includes('before-drop'), 'pushed while connected');

      const admin = new pg.Client({ connectionString: url });
      await admin.connect();
      const killed = await admin.query("SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE query LIKE 'LISTEN%' AND datname = current_database()");
      await admin.end();
      expect(killed.rowCount, 'the feed had one listening connection').to.equal(1);
      await writing.revoke(['while-dropped', 'after-drop']);
      // The safety poll runs every 5 s: within 1 s means the feed reconnected and caught up.
      await within(1000, async () => heard.includes('after-drop'), 'heard after the reconnect');
      expect(heard).to.deep.equal(['before-drop', 'while-dropped', 'after-drop']);
      expect(errors.join('\n')).to.match(/terminat/);
    } finally {
      watching.stop();
    }
  });
});
