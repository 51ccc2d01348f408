import { InterceptingCall, status, type Interceptor } from '@grpc/grpc-js';
import { expect } from 'chai';
import { createAuthClient, createDashboardClient, Session, type AuthClient, type DashboardClient } from '@grpc-token-auth/sdk';
import { within } from '../support/eventually.js';
import { expectStatus } from '../support/grpc.js';
import { startSystem, type RunningSystem } from '../support/system.js';

/**
 * The SDK's Session against a real auth-svc that hangs (SIGSTOP), stops and comes back.
 * The client's clock is moved instead of waiting minutes for a token to age: the server
 * still accepts the token, the session believes it must renew.
 */
describe('Session under auth-svc faults (real processes)', () => {
  let sys: RunningSystem;
  const password = 'correct-horse-battery-staple';
  let n = 0;

  before(async () => {
    sys = await startSystem();
  });
  after(async () => sys?.stop());

  const freeze = () => sys.auth.child.kill('SIGSTOP');
  const thaw = () => sys.auth.child.kill('SIGCONT');

  /** A fresh user's session with a movable clock and an auth-svc client that counts Refresh calls. */
  async function signIn(opts: { timeoutMs?: number } = {}) {
    const email = `faults${++n}@example.com`;
    const setup = createAuthClient(sys.authAddress);
    await setup.register({ email, password, displayName: `Faults ${n}` });
    setup.close();
    let clock = Date.now();
    const counter = { refreshes: 0 };
    const auth: AuthClient = createAuthClient(sys.authAddress, { interceptors: [countRefreshes(counter)] });
    const session = await Session.login({ auth, email, password, now: () => clock, retryMinMs: 100, retryMaxMs: 1000, timeoutMs: opts.timeoutMs ?? 1000 });
    const dashboard: DashboardClient = createDashboardClient(sys.businessAddress, { interceptors: [session.interceptor] });
    return {
      session,
      dashboard,
      counter,
      advance: (ms: number) => (clock += ms),
      close: () => (dashboard.close(), session.close(), auth.close()),
    };
  }

  it('auth-svc frozen mid-refresh: calls go on with the valid token, and after the thaw the retried Refresh keeps the session (grace window)', async function () {
    this.timeout(30_000);
    const s = await signIn();
    try {
      const first = await s.session.accessToken();
      const graceLogs = () => sys.auth.output.filter((l) => l.includes('reuse grace window') && l.includes(s.session.sessionId)).length;
      freeze();
      s.advance(280_000); // inside the renewal margin: Refresh starts in the background and hangs
      for (let i = 0; i < 5; i++) {
        expect((await s.dashboard.getDashboard({}, { timeoutMs: 2000 })).userId).to.equal(s.session.userId);
        await new Promise((r) => setTimeout(r, 500));
      }
      expect(s.counter.refreshes, 'Refresh timed out and was tried again while frozen').to.be.at.least(2);
      thaw();
      await within(10_000, async () => (await s.session.accessToken()) !== first, 'the session renewed after the thaw');
      expect(s.session.ended).to.equal(undefined);
      expect(graceLogs(), 'a Refresh applied while its answer was lost was retried within the grace window').to.be.at.least(1);
      expect((await s.dashboard.getDashboard({})).userId).to.equal(s.session.userId);
    } finally {
      thaw();
      s.close();
    }
  });

  it("applies the caller's deadline and cancellation while a token is awaited, and Session.login's timeout", async function () {
    this.timeout(20_000);
    const s = await signIn({ timeoutMs: 5000 });
    freeze();
    try {
      s.advance(299_000); // 1 s left: too close to use, calls must wait for a Refresh that hangs
      let started = Date.now();
      await expectStatus(s.dashboard.getDashboard({}, { timeoutMs: 300 }), status.DEADLINE_EXCEEDED, /waiting for an access token/);
      expect(Date.now() - started, 'within its own deadline, not the Refresh timeout').to.be.below(1300);

      const controller = new AbortController();
      setTimeout(() => controller.abort(), 200);
      started = Date.now();
      await expectStatus(s.dashboard.getDashboard({}, { signal: controller.signal }), status.CANCELLED);
      expect(Date.now() - started).to.be.below(1200);

      started = Date.now();
      await expectStatus(Session.login({ auth: sys.authAddress, email: 'faults1@example.com', password, timeoutMs: 300 }), status.DEADLINE_EXCEEDED);
      expect(Date.now() - started).to.be.below(1300);
    } finally {
      thaw();
      s.close();
    }
  });

  it('auth-svc stopped: calls go on with the still-valid token while Refresh is retried; once it is back the session renews', async function () {
    this.timeout(40_000);
    const s = await signIn();
    try {
      const first = await s.session.accessToken();
      await sys.auth.stop();
      s.advance(280_000);
      for (let i = 0; i < 5; i++) {
        expect((await s.dashboard.getDashboard({}, { timeoutMs: 2000 })).userId).to.equal(s.session.userId);
        await new Promise((r) => setTimeout(r, 300));
      }
      expect(s.counter.refreshes, 'Refresh retried in the background').to.be.at.least(3);
      expect(await s.session.accessToken(), 'the current token is still in use').to.equal(first);

      await sys.restartAuth();
      await within(10_000, async () => (await s.session.accessToken()) !== first, 'renewed once auth-svc was back');
      expect(s.session.ended).to.equal(undefined);
      expect((await s.dashboard.getDashboard({})).userId).to.equal(s.session.userId);
    } finally {
      s.close();
    }
  });
});

/** Counts Refresh calls made through a client (attempts, whatever their outcome). */
function countRefreshes(counter: { refreshes: number }): Interceptor {
  return (options, nextCall) => {
    if (options.method_definition.path === '/auth.v1.AuthService/Refresh') counter.refreshes++;
    return new InterceptingCall(nextCall(options));
  };
}
