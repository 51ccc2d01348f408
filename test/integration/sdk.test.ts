import { status } from '@grpc/grpc-js';
import { expect } from 'chai';
import jwt from 'jsonwebtoken';
import { createAuthClient, createDashboardClient, Session, unaryCall } from '../../sdk/index.js';
import { expectStatus } from '../support/grpc.js';
import { startSystem, type RunningSystem } from '../support/system.js';

describe('client SDK end to end (real processes)', () => {
  let sys: RunningSystem;
  const email = 'sdk-user@example.com';
  const password = 'correct-horse-battery-staple';

  before(async () => {
    sys = await startSystem();
    const auth = createAuthClient(sys.authAddress);
    await unaryCall(auth, auth.register, { email, password, displayName: 'SDK User' });
    auth.close();
  });
  after(async () => sys?.stop());

  it('logs in, authenticates every call through the interceptor, and reaches the dashboard', async () => {
    const session = await Session.login({ auth: sys.authAddress, email, password });
    const dashboard = createDashboardClient(sys.businessAddress, { interceptors: [session.interceptor] });
    const view = await unaryCall(dashboard, dashboard.getDashboard, {});
    expect(view.userId).to.equal(session.userId);
    dashboard.close();
    session.close();
  });

  it('renews the token before it expires, once for concurrent calls', async () => {
    let clock = Date.now();
    const session = await Session.login({ auth: sys.authAddress, email, password, now: () => clock });
    const first = await session.accessToken();
    expect(await session.accessToken()).to.equal(first); // fresh: reused
    clock += 290_000; // 10 s before the 300 s expiry: inside the 30 s renewal margin
    await new Promise((r) => setTimeout(r, 1100)); // a new token gets a later iat
    const renewed = await Promise.all([session.accessToken(), session.accessToken(), session.accessToken()]);
    expect(new Set(renewed).size).to.equal(1);
    expect(renewed[0]).to.not.equal(first);
    // Renewed by Refresh inside the same session, not by a new login.
    expect((jwt.decode(renewed[0]!) as jwt.JwtPayload).sid).to.equal(session.sessionId);
    expect((jwt.decode(first) as jwt.JwtPayload).sid).to.equal(session.sessionId);
    expect((jwt.decode(renewed[0]!) as jwt.JwtPayload).iat).to.be.greaterThan((jwt.decode(first) as jwt.JwtPayload).iat!);
    session.close();
  });

  it('rejects a login with bad credentials with UNAUTHENTICATED', async () => {
    await expectStatus(Session.login({ auth: sys.authAddress, email, password: 'wrong-passphrase!' }), status.UNAUTHENTICATED);
  });

  it('fails calls locally with UNAUTHENTICATED once the session was revoked elsewhere', async () => {
    let clock = Date.now();
    const session = await Session.login({ auth: sys.authAddress, email, password, now: () => clock });
    const dashboard = createDashboardClient(sys.businessAddress, { interceptors: [session.interceptor] });
    expect((await unaryCall(dashboard, dashboard.getDashboard, {})).userId).to.equal(session.userId);
    const other = await Session.login({ auth: sys.authAddress, email, password });
    expect(await other.logoutAll()).to.be.at.least(2);
    clock += 600_000; // the access token needs renewing: Refresh is refused for a revoked session
    await expectStatus(unaryCall(dashboard, dashboard.getDashboard, {}), status.UNAUTHENTICATED, /session has been revoked/);
    expect(session.ended).to.match(/revoked/);
    // Ended for good: later calls fail locally without asking auth-svc again.
    await expectStatus(unaryCall(dashboard, dashboard.getDashboard, {}), status.UNAUTHENTICATED, /session ended/);
    dashboard.close();
    session.close();
    other.close();
  });

  it('is importable by package name through package.json exports', async () => {
    const sdk = (await import('grpc-token-auth/sdk')) as Record<string, unknown>;
    for (const name of ['Session', 'createAuthClient', 'createDashboardClient', 'createNotesClient', 'bearerInterceptor', 'unaryCall']) {
      expect(sdk[name], name).to.be.a('function');
    }
  });
});
