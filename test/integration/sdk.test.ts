import { status } from '@grpc/grpc-js';
import { expect } from 'chai';
import jwt from 'jsonwebtoken';
import { createAuthClient, createDashboardClient, Session } from '@grpc-token-auth/sdk';
import { failsWith, within } from '../support/eventually.js';
import { expectStatus } from '../support/grpc.js';
import { startSystem, type RunningSystem } from '../support/system.js';

describe('client SDK end to end (real processes)', () => {
  let sys: RunningSystem;
  const email = 'sdk-user@example.com';
  const password = 'correct-horse-battery-staple';

  before(async () => {
    sys = await startSystem();
    const auth = createAuthClient(sys.authAddress);
    await auth.register({ email, password, displayName: 'SDK User' });
    auth.close();
  });
  after(async () => sys?.stop());

  it('logs in, authenticates every call through the interceptor, and reaches the dashboard', async () => {
    const session = await Session.login({ auth: sys.authAddress, email, password });
    const dashboard = createDashboardClient(sys.businessAddress, { interceptors: [session.interceptor] });
    const view = await dashboard.getDashboard({});
    expect(view.userId).to.equal(session.userId);
    dashboard.close();
    session.close();
  });

  it('renews the token before it expires, once for concurrent calls', async () => {
    let clock = Date.now();
    const session = await Session.login({ auth: sys.authAddress, email, password, now: () => clock });
    const first = await session.accessToken();
    expect(await session.accessToken()).to.equal(first); // fresh: reused
    clock += 299_000; // 1 s before the 300 s expiry: too close to use, so callers wait for the renewal
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
    expect((await dashboard.getDashboard({})).userId).to.equal(session.userId);
    const other = await Session.login({ auth: sys.authAddress, email, password });
    expect(await other.logoutAll()).to.be.at.least(2);
    // The access token is still fresh: the first call business-svc refuses for the revocation ends the session.
    await within(1000, () => failsWith(dashboard.getDashboard({}), status.UNAUTHENTICATED), 'business-svc refuses the revoked session');
    expect(session.ended).to.equal('session has been revoked; sign in again');
    // Ended for good: later calls fail locally without asking auth-svc again.
    await expectStatus(dashboard.getDashboard({}), status.UNAUTHENTICATED, /session ended/);
    dashboard.close();
    session.close();
    other.close();
  });
});
