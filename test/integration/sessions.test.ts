import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { status } from '@grpc/grpc-js';
import { expect } from 'chai';
import jwt from 'jsonwebtoken';
import { createAuthClient, createDashboardClient, type AuthClient, type DashboardClient } from '@grpc-token-auth/sdk';
import type { LoginResponse } from '../../gen/auth/v1/auth_service.js';
import { failsWith, within } from '../support/eventually.js';
import { bearer, expectStatus } from '../support/grpc.js';
import { spawnService } from '../../scripts/support/service-process.js';
import { startSystem, testEnv, type RunningSystem } from '../support/system.js';

describe('sessions, refresh tokens and revocation (real processes)', () => {
  let sys: RunningSystem;
  let auth: AuthClient;
  let dashboard: DashboardClient;
  const password = 'correct-horse-battery-staple';
  let n = 0;

  before(async () => {
    sys = await startSystem();
    auth = createAuthClient(sys.authAddress);
    dashboard = createDashboardClient(sys.businessAddress);
  });
  after(async () => {
    auth?.close();
    dashboard?.close();
    await sys?.stop();
  });

  /** A fresh user, so tests do not share sessions. */
  async function newUser(): Promise<string> {
    const email = `user${++n}@example.com`;
    await auth.register({ email, password, displayName: `User ${n}` });
    return email;
  }
  const login = (email: string, pw = password) => auth.login({ email, password: pw });
  const refresh = (refreshToken: string) => auth.refresh({ refreshToken });
  const dashboardWith = (token: string) => dashboard.getDashboard({}, { metadata: bearer(token) });
  /** Time until business-svc refuses the token (fails the test beyond 1 s). */
  const refusedWithin1s = (token: string) =>
    within(1000, () => failsWith(dashboardWith(token), status.UNAUTHENTICATED), 'business-svc refuses the revoked session');

  it('Login opens a session: the access token carries its sid, the refresh token is opaque', async () => {
    const res = await login(await newUser());
    expect(res.sessionId).to.match(/^[0-9a-f-]{36}$/);
    expect((jwt.decode(res.accessToken) as jwt.JwtPayload).sid).to.equal(res.sessionId);
    expect(res.refreshToken).to.match(/^[A-Za-z0-9_-]{43}$/);
    expect(res.refreshExpiresIn).to.equal(30 * 86_400);
    expect(res.refreshToken).not.to.include('.'); // not a JWT: nothing to decode or forge
  });

  it('Refresh rotates: a new pair in the same session, and the old refresh token stops working', async () => {
    const first = await login(await newUser());
    const second = await refresh(first.refreshToken);
    expect(second.sessionId).to.equal(first.sessionId);
    expect(second.refreshToken).not.to.equal(first.refreshToken);
    expect(second.accessToken).not.to.equal(first.accessToken);
    expect((await dashboardWith(second.accessToken)).userId).to.equal(first.userId);
    const third = await refresh(second.refreshToken);
    expect(third.sessionId).to.equal(first.sessionId);
  });

  it('treats a reused refresh token as theft: the whole session is revoked, everywhere, and logged', async () => {
    const first = await login(await newUser());
    const second = await refresh(first.refreshToken); // the legitimate client rotated,
    const third = await refresh(second.refreshToken); // and rotated again: its successor is used, so a replay is no retry
    await expectStatus(refresh(first.refreshToken), status.UNAUTHENTICATED, /already used; the session has been revoked/);
    // The thief's replay also killed the legitimate holder's newer tokens.
    await expectStatus(refresh(third.refreshToken), status.UNAUTHENTICATED, /session has been revoked/);
    await refusedWithin1s(third.accessToken);
    // Written after the revocation, and it comes through a pipe: it may trail the refusal a little.
    const reported = () => sys.auth.output.find((l) => l.includes('refresh_token_reuse') && l.includes(first.sessionId));
    await within(1000, async () => reported() !== undefined, 'security event logged');
    const event = reported();
    expect(event).not.to.include(first.refreshToken);
  });

  it('a Refresh retried within the grace window (answer lost) gets the same successor with a fresh access token; the session lives', async () => {
    const first = await login(await newUser());
    const lost = await refresh(first.refreshToken); // applied by auth-svc, but say the answer never arrived
    await new Promise((r) => setTimeout(r, 1100)); // a later iat, so the access token differs
    const retried = await refresh(first.refreshToken);
    expect(retried.refreshToken, 'still one live refresh token').to.equal(lost.refreshToken);
    expect(retried.accessToken).not.to.equal(lost.accessToken);
    expect(retried.sessionId).to.equal(first.sessionId);
    expect((await dashboardWith(retried.accessToken)).userId).to.equal(first.userId);
    const next = await refresh(retried.refreshToken);
    // Once the successor was used, the first token coming back is theft again.
    await expectStatus(refresh(first.refreshToken), status.UNAUTHENTICATED, /already used/);
    await refusedWithin1s(next.accessToken);
    await within(1000, async () => sys.auth.output.some((l) => l.includes('reuse grace window') && l.includes(first.sessionId)), 'the retry logged');
  });

  it('two concurrent refreshes with the same token: one rotation, both get the same successor', async () => {
    const first = await login(await newUser());
    const results = await Promise.all([refresh(first.refreshToken), refresh(first.refreshToken)]);
    expect(results[0]!.refreshToken).to.equal(results[1]!.refreshToken);
    expect((await refresh(results[0]!.refreshToken)).sessionId).to.equal(first.sessionId);
  });

  it('refuses bad refresh tokens with clear statuses', async () => {
    await expectStatus(refresh(''), status.INVALID_ARGUMENT, /refresh_token: is required/);
    await expectStatus(refresh('not-a-real-token'), status.UNAUTHENTICATED, /not valid/);
    await expectStatus(refresh('x'.repeat(10_000)), status.UNAUTHENTICATED, /not valid/);
    const res = await login(await newUser());
    await expectStatus(refresh(res.accessToken), status.UNAUTHENTICATED, /not valid/); // an access token is not a refresh token
  });

  it('Logout revokes the session: business-svc refuses its token within 1 s; other sessions live on', async () => {
    const email = await newUser();
    const a = await login(email);
    const b = await login(email);
    await auth.logout({}, { metadata: bearer(a.accessToken) });
    const ms = await refusedWithin1s(a.accessToken);
    expect(ms).to.be.below(1000);
    await expectStatus(dashboardWith(a.accessToken), status.UNAUTHENTICATED, /session has been revoked/);
    await expectStatus(refresh(a.refreshToken), status.UNAUTHENTICATED, /revoked/);
    // auth-svc itself refuses it too (its own verifier hears its own revocations).
    await expectStatus(auth.logout({}, { metadata: bearer(a.accessToken) }), status.UNAUTHENTICATED, /revoked/);
    expect((await dashboardWith(b.accessToken)).userId).to.equal(b.userId);
  });

  it('LogoutAll revokes every session of the user and no one else\'s', async () => {
    const email = await newUser();
    const sessions = [await login(email), await login(email), await login(email)];
    const bystander = await login(await newUser());
    const res = await auth.logoutAll({}, { metadata: bearer(sessions[0]!.accessToken) });
    expect(res.revokedSessions).to.equal(3);
    for (const s of sessions) await refusedWithin1s(s.accessToken);
    expect((await dashboardWith(bystander.accessToken)).userId).to.equal(bystander.userId);
  });

  it('ChangePassword checks the current password, applies the policy, and revokes every other session', async () => {
    const email = await newUser();
    const mine = await login(email);
    const other = await login(email);
    const change = (current: string, next: string, token = mine.accessToken) =>
      auth.changePassword({ currentPassword: current, newPassword: next }, { metadata: bearer(token) });
    await expectStatus(change('wrong-password-here', 'a-brand-new-passphrase'), status.PERMISSION_DENIED, /current password is incorrect/);
    await expectStatus(change(password, 'short'), status.INVALID_ARGUMENT, /new_password: must be at least 10/);
    await expectStatus(change(password, password), status.INVALID_ARGUMENT, /must differ/);
    await expectStatus(change('', 'a-brand-new-passphrase'), status.INVALID_ARGUMENT, /current_password/);
    expect((await change(password, 'a-brand-new-passphrase')).revokedSessions).to.equal(1);
    await refusedWithin1s(other.accessToken);
    expect((await dashboardWith(mine.accessToken)).userId).to.equal(mine.userId); // the caller stays signed in
    await expectStatus(login(email), status.UNAUTHENTICATED, /invalid email or password/);
    expect((await login(email, 'a-brand-new-passphrase')).userId).to.equal(mine.userId);
  });

  it('a service token cannot log out or change a password (user methods)', async () => {
    const token = await serviceToken(sys);
    await expectStatus(auth.logout({}, { metadata: bearer(token) }), status.PERMISSION_DENIED, /for users/);
  });

  describe('across an auth-svc restart', () => {
    let before: LoginResponse;
    it('after kill -9 and restart: enforces a logout made right away within 1 s, keeps refusing old revocations, keeps accepting live sessions', async function () {
      this.timeout(30_000);
      const email = await newUser();
      before = await login(email);
      const live = await login(email);
      const later = await login(email);
      await auth.logout({}, { metadata: bearer(before.accessToken) });
      await refusedWithin1s(before.accessToken);

      await sys.restartAuth('SIGKILL');
      // The first logout auth-svc accepts after the crash, before business-svc has resubscribed:
      // enforced within 1 s all the same (the revocation stream reconnects promptly and its fresh
      // snapshot holds both the old and the new revocation). Retried only while auth-svc is not up yet.
      await within(5000, () => auth.logout({}, { metadata: bearer(later.accessToken) }).then(() => true, (e: { code?: number }) => (e.code === status.UNAVAILABLE ? false : Promise.reject(e))), 'auth-svc accepts the logout');
      await refusedWithin1s(later.accessToken);
      await expectStatus(dashboardWith(before.accessToken), status.UNAUTHENTICATED, /revoked/);
      expect((await dashboardWith(live.accessToken)).userId).to.equal(live.userId);
    });
  });
});

/** A service token for business-svc's own client, exchanged the way business-svc does it. */
async function serviceToken(sys: RunningSystem): Promise<string> {
  const auth = createAuthClient(sys.authAddress);
  try {
    const res = await auth.issueServiceToken({ clientId: sys.serviceClient.id, clientSecret: sys.serviceClient.secret });
    return res.accessToken;
  } finally {
    auth.close();
  }
}

describe('revocation stream outlives its service token (real processes)', () => {
  let sys: RunningSystem;
  before(async () => {
    sys = await startSystem({ SERVICE_TOKEN_TTL_SECONDS: '10' });
  });
  after(async () => sys?.stop());

  it('ends the stream when business-svc\'s service token expires, resubscribes with a renewed one, and still applies logouts within 1 s', async function () {
    this.timeout(30_000);
    const auth = createAuthClient(sys.authAddress);
    const dashboard = createDashboardClient(sys.businessAddress);
    try {
      const email = 'long-lived@example.com';
      const password = 'correct-horse-battery-staple';
      await auth.register({ email, password, displayName: 'Long' });
      const syncs = () => sys.business.output.filter((l) => l.includes('revocation stream in sync')).length;
      await within(15_000, async () => syncs() >= 2, 'resubscribed after the first service token expired');
      expect(sys.business.output.join('\n')).to.include('access token expired; reopen the stream');
      const s = await auth.login({ email, password });
      await auth.logout({}, { metadata: bearer(s.accessToken) });
      await within(
        1000,
        () => failsWith(dashboard.getDashboard({}, { metadata: bearer(s.accessToken) }), status.UNAUTHENTICATED),
        'logout applied on the renewed stream',
      );
    } finally {
      auth.close();
      dashboard.close();
    }
  });
});

describe('refresh-token reuse grace window bounds (auth-svc processes)', () => {
  const password = 'correct-horse-battery-staple';
  let dataDir: string;
  beforeEach(() => (dataDir = mkdtempSync(join(tmpdir(), 'grpc-token-auth-grace-'))));
  afterEach(() => rmSync(dataDir, { recursive: true, force: true }));

  /** auth-svc alone with the given grace window, and a signed-in user's first pair. */
  async function signedIn(graceSeconds: string) {
    const auth = await spawnService('auth-svc', { env: testEnv(dataDir, { REFRESH_REUSE_GRACE_SECONDS: graceSeconds }) });
    const client = createAuthClient(`127.0.0.1:${auth.port}`);
    await client.register({ email: 'grace@example.com', password, displayName: 'Grace' });
    const first = await client.login({ email: 'grace@example.com', password });
    return { auth, client, first, refresh: (refreshToken: string) => client.refresh({ refreshToken }) };
  }

  it('after the window, the rotated token coming back revokes the session as before', async () => {
    const { auth, client, first, refresh } = await signedIn('1');
    try {
      const second = await refresh(first.refreshToken);
      await new Promise((r) => setTimeout(r, 1200));
      await expectStatus(refresh(first.refreshToken), status.UNAUTHENTICATED, /already used; the session has been revoked/);
      await expectStatus(refresh(second.refreshToken), status.UNAUTHENTICATED, /revoked/);
    } finally {
      client.close();
      await auth.stop();
    }
  });

  it('REFRESH_REUSE_GRACE_SECONDS=0: any second presentation revokes the session', async () => {
    const { auth, client, first, refresh } = await signedIn('0');
    try {
      const second = await refresh(first.refreshToken);
      await expectStatus(refresh(first.refreshToken), status.UNAUTHENTICATED, /already used/);
      await expectStatus(refresh(second.refreshToken), status.UNAUTHENTICATED, /revoked/);
    } finally {
      client.close();
      await auth.stop();
    }
  });
});
