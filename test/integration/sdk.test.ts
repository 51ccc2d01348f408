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
    expect((jwt.decode(renewed[0]!) as jwt.JwtPayload).iat).to.be.greaterThan((jwt.decode(first) as jwt.JwtPayload).iat!);
    session.close();
  });

  it('rejects a login with bad credentials with UNAUTHENTICATED', async () => {
    await expectStatus(Session.login({ auth: sys.authAddress, email, password: 'wrong-passphrase!' }), status.UNAUTHENTICATED);
  });

  it('fails calls locally with UNAUTHENTICATED when the token cannot be renewed', async () => {
    let clock = Date.now();
    const session = await Session.login({ auth: sys.authAddress, email, password, now: () => clock });
    const dashboard = createDashboardClient(sys.businessAddress, { interceptors: [session.interceptor] });
    clock += 600_000;
    // Make renewal impossible: auth-svc's credentials for this user no longer match.
    (session as unknown as { opts: { password: string } }).opts.password = 'no-longer-valid-pass';
    await expectStatus(unaryCall(dashboard, dashboard.getDashboard, {}), status.UNAUTHENTICATED, /could not obtain an access token/);
    dashboard.close();
    session.close();
  });

  it('is importable by package name through package.json exports', async () => {
    const sdk = (await import('grpc-token-auth/sdk')) as Record<string, unknown>;
    for (const name of ['Session', 'createAuthClient', 'createDashboardClient', 'createNotesClient', 'bearerInterceptor', 'unaryCall']) {
      expect(sdk[name], name).to.be.a('function');
    }
  });
});
