import { status } from '@grpc/grpc-js';
import { expect } from 'chai';
import jwt from 'jsonwebtoken';
import { createAuthClient, createDashboardClient, createRevocationClient, createUserDirectoryClient, ServiceCredentials, type AuthClient, type DashboardClient, type UserDirectoryClient } from '@grpc-token-auth/sdk';
import { serviceClientsCli, provisionServiceClient } from '../../scripts/support/service-client-cli.js';
import { failsWith, within } from '../support/eventually.js';
import { bearer, collect, expectStatus } from '../support/grpc.js';
import { startSystem, testEnv, TEST_AUDIENCE, type RunningSystem } from '../support/system.js';

describe('service-to-service: service tokens, scopes, UserDirectory, dashboard enrichment (real processes)', () => {
  let sys: RunningSystem;
  let auth: AuthClient;
  let directory: UserDirectoryClient;
  let dashboard: DashboardClient;
  let userId: string;
  let userToken: string;
  const email = 'dana@example.com';
  const password = 'correct-horse-battery-staple';

  before(async () => {
    // No display-name cache, so every dashboard call really asks auth-svc; a 1 s cap of our own,
    // so the caller's shorter deadline is what binds in the degraded test.
    sys = await startSystem({ DISPLAY_NAME_CACHE_SECONDS: '0', USER_DIRECTORY_TIMEOUT_MS: '1000' });
    auth = createAuthClient(sys.authAddress);
    directory = createUserDirectoryClient(sys.authAddress);
    dashboard = createDashboardClient(sys.businessAddress);
    userId = (await auth.register({ email, password, displayName: 'Dana Scully' })).userId;
    userToken = (await auth.login({ email, password })).accessToken;
  });
  after(async () => {
    auth?.close();
    directory?.close();
    dashboard?.close();
    await sys?.stop();
  });

  const env = () => testEnv(sys.dataDir);
  const issue = (clientId: string, clientSecret: string) => auth.issueServiceToken({ clientId, clientSecret });
  const getUser = (token: string, id = userId) => directory.getUser({ userId: id }, { metadata: bearer(token) });

  it('issues a short-lived service token carrying typ, scopes and the client\'s sid', async () => {
    const res = await issue(sys.serviceClient.id, sys.serviceClient.secret);
    expect(res.tokenType).to.equal('Bearer');
    expect(res.expiresIn).to.equal(300);
    expect(res.scopes).to.have.members(['revocations.watch', 'users.read']);
    const claims = jwt.decode(res.accessToken) as jwt.JwtPayload;
    expect(claims).to.include({ typ: 'service', sub: sys.serviceClient.id, aud: TEST_AUDIENCE });
    expect(claims.scope.split(' ')).to.have.members(['revocations.watch', 'users.read']);
    expect(claims.sid).to.be.a('string');
    expect(claims.roles).to.equal(undefined);
  });

  it('refuses wrong, unknown and missing client credentials alike', async () => {
    await expectStatus(issue(sys.serviceClient.id, 'wrong-secret'), status.UNAUTHENTICATED, /^invalid client credentials$/);
    await expectStatus(issue('00000000-0000-4000-8000-000000000000', sys.serviceClient.secret), status.UNAUTHENTICATED, /^invalid client credentials$/);
    await expectStatus(issue('', 'x'), status.INVALID_ARGUMENT, /client_id/);
    await expectStatus(issue(sys.serviceClient.id, ''), status.INVALID_ARGUMENT, /client_secret/);
    expect(sys.auth.output.join('\n')).not.to.include('wrong-secret');
  });

  it('UserDirectory answers a service holding users.read', async () => {
    const token = (await issue(sys.serviceClient.id, sys.serviceClient.secret)).accessToken;
    const res = await getUser(token);
    expect(res.user).to.deep.include({ userId, email, displayName: 'Dana Scully', roles: ['user'] });
    await expectStatus(getUser(token, '00000000-0000-4000-8000-000000000000'), status.NOT_FOUND, /user not found/);
    await expectStatus(getUser(token, 'not-a-uuid'), status.INVALID_ARGUMENT, /user_id: must be a UUID/);
  });

  it('UserDirectory refuses end users (PERMISSION_DENIED), even with a valid token', async () => {
    await expectStatus(getUser(userToken), status.PERMISSION_DENIED, /only for services/);
  });

  it('UserDirectory refuses a service without the users.read scope; the revocation stream refuses users', async () => {
    const narrow = await provisionServiceClient('reporting', ['revocations.watch'], env());
    const token = (await issue(narrow.id, narrow.secret)).accessToken;
    await expectStatus(getUser(token), status.PERMISSION_DENIED, /needs the scope "users.read"/);
    await expectStatus(getUser(''), status.UNAUTHENTICATED);
    const revocations = createRevocationClient(sys.authAddress);
    await expectStatus(collect(revocations.watchRevocations({}, { metadata: bearer(userToken) })), status.PERMISSION_DENIED);
    revocations.close();
  });

  it('admin command: rotate-secret retires the old secret; revoke refuses new tokens and kills held ones within 1 s', async () => {
    const created = await provisionServiceClient('billing', ['users.read'], env());
    const held = (await issue(created.id, created.secret)).accessToken;
    expect((await getUser(held)).user?.userId).to.equal(userId);

    const rotated = JSON.parse(await serviceClientsCli(['rotate-secret', 'billing', '--json'], env())) as { secret: string };
    await expectStatus(issue(created.id, created.secret), status.UNAUTHENTICATED);
    const fresh = (await issue(created.id, rotated.secret)).accessToken;

    const listed = JSON.parse(await serviceClientsCli(['list', '--json'], env())) as { name: string; revoked: boolean }[];
    expect(listed.map((c) => c.name)).to.include.members(['business-svc', 'billing']);
    expect(JSON.stringify(listed)).not.to.match(/secret/i);

    // Revoked from another process (the CLI): the running auth-svc picks it up by polling.
    await serviceClientsCli(['revoke', 'billing'], env());
    await expectStatus(issue(created.id, rotated.secret), status.UNAUTHENTICATED);
    for (const token of [held, fresh]) {
      await within(1000, () => failsWith(getUser(token), status.UNAUTHENTICATED), 'revoked client token refused');
    }
  });

  it('admin command: refuses bad input with exit code 64', async () => {
    for (const args of [['create', 'Bad Name'], ['create', 'ok-name', '--scopes', 'BAD SCOPE'], ['revoke', 'nobody'], ['frobnicate']]) {
      const err = await serviceClientsCli(args, env()).then(() => undefined, (e: Error) => e);
      expect(err, args.join(' ')).to.be.instanceOf(Error);
    }
  });

  it('SDK ServiceCredentials: fetches lazily, caches, renews before expiry, one exchange for concurrent calls', async () => {
    let clock = Date.now();
    const creds = new ServiceCredentials({ auth: sys.authAddress, clientId: sys.serviceClient.id, clientSecret: sys.serviceClient.secret, now: () => clock });
    const scoped = createUserDirectoryClient(sys.authAddress, { interceptors: [creds.interceptor] });
    try {
      const issued = () => sys.auth.output.filter((l) => l.includes('/auth.v1.AuthService/IssueServiceToken')).length;
      const lookedUp = () => sys.auth.output.filter((l) => l.includes('/auth.v1.UserDirectory/GetUser')).length;
      const before = issued();
      const lookupsBefore = lookedUp();
      const [a, b, c] = await Promise.all([creds.accessToken(), creds.accessToken(), creds.accessToken()]);
      expect(new Set([a, b, c]).size).to.equal(1);
      expect(await creds.accessToken()).to.equal(a);
      expect((await scoped.getUser({ userId })).user?.displayName).to.equal('Dana Scully');
      // auth-svc logs each RPC as it ends; its lines reach us asynchronously, GetUser's last.
      await within(2000, async () => lookedUp() > lookupsBefore, 'GetUser logged');
      expect(issued() - before, 'one exchange for three concurrent calls and a cached fourth').to.equal(1);

      clock += 280_000; // inside the 30 s renewal margin of a 300 s token: still used while renewal runs in the background
      await new Promise((r) => setTimeout(r, 1100)); // a renewed token gets a later iat
      expect(await creds.accessToken()).to.equal(a);
      await within(2000, async () => (await creds.accessToken()) !== a, 'renewed in the background');
      await within(2000, async () => issued() - before === 2, 'exactly one renewal exchange');
    } finally {
      scoped.close();
      creds.close();
    }
  });

  describe('dashboard enrichment', () => {
    const getDashboard = (deadlineMs?: number) =>
      dashboard.getDashboard({}, { metadata: bearer(userToken), callOptions: deadlineMs ? { deadline: Date.now() + deadlineMs } : {} });

    it('adds the display name from UserDirectory, with business-svc\'s own service token', async () => {
      const res = await getDashboard();
      expect(res).to.include({ displayName: 'Dana Scully', degraded: false, userId });
    });

    it('answers degraded within the caller\'s deadline while auth-svc hangs', async function () {
      this.timeout(10_000);
      sys.auth.child.kill('SIGSTOP'); // alive but silent: the slow case
      try {
        // An answer after the deadline would fail the call with DEADLINE_EXCEEDED: success is the proof.
        const res = await getDashboard(400);
        expect(res).to.include({ displayName: '', degraded: true, userId });
        // Without a caller deadline, business-svc's own cap (1 s here) bounds the wait.
        const t0 = Date.now();
        expect((await getDashboard()).degraded).to.equal(true);
        expect(Date.now() - t0).to.be.within(900, 3000);
      } finally {
        sys.auth.child.kill('SIGCONT');
      }
    });

    it('answers degraded at once when auth-svc is down', async () => {
      await sys.auth.stop('SIGKILL');
      const res = await getDashboard(1000);
      expect(res).to.include({ degraded: true, userId });
      // Written before the answer, but it comes through a pipe: it may trail the answer a little.
      await within(1000, async () => sys.business.output.some((l) => l.includes('user directory lookups failing; answering degraded')), 'the degraded line');
    });
  });
});
