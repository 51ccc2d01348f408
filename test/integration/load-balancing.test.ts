import { expect } from 'chai';
import { createAuthClient, createDashboardClient, Session } from '@grpc-token-auth/sdk';
import { DashboardServiceService } from '../../gen/business/v1/dashboard_service.js';
import type { ServiceProcess } from '../../scripts/support/service-process.js';
import { outputComplete, rpcLogTimes, startBusinessReplicas } from '../support/replicas.js';
import { startSystem, type RunningSystem } from '../support/system.js';

const GET_DASHBOARD = DashboardServiceService.getDashboard.path;
const CALLS = 900;
const KILL_AT = 300; // the call index at which one replica is SIGKILLed
const CONCURRENCY = 4; // calls in flight at once, so the kill catches some mid-call

describe('client-side load balancing over business-svc replicas (real processes)', function () {
  this.timeout(60_000);
  let sys: RunningSystem;
  let replicas: ServiceProcess[];

  before(async () => {
    sys = await startSystem();
    replicas = [sys.business, ...(await startBusinessReplicas(sys, 2))];
    const auth = createAuthClient(sys.authAddress);
    await auth.register({ email: 'lb@example.com', password: 'correct-horse-battery-staple', displayName: 'LB' });
    auth.close();
  });
  after(async () => {
    await Promise.all((replicas ?? []).slice(1).map((r) => r.stop()));
    await sys?.stop();
  });

  it('spreads calls round-robin over three replicas and loses none when one is killed mid-run', async () => {
    const session = await Session.login({ auth: sys.authAddress, email: 'lb@example.com', password: 'correct-horse-battery-staple' });
    const addresses = replicas.map((r) => `127.0.0.1:${r.port}`);
    const dashboard = createDashboardClient(addresses, { interceptors: [session.interceptor] });
    const victim = replicas[1]!;
    const survivors = replicas.filter((r) => r !== victim);

    let next = 0;
    let killedAt = 0;
    const failures: unknown[] = [];
    const worker = async () => {
      while (next < CALLS) {
        const i = next++;
        if (i === KILL_AT) {
          killedAt = Date.now();
          victim.child.kill('SIGKILL');
        }
        try {
          const view = await dashboard.getDashboard({}, { callOptions: { deadline: Date.now() + 5000 } });
          if (view.userId !== session.userId) failures.push(new Error(`wrong user ${view.userId}`));
        } catch (err) {
          failures.push(err);
        }
      }
    };
    await Promise.all(Array.from({ length: CONCURRENCY }, worker));
    dashboard.close();
    session.close();

    expect(failures.map(String), 'failed calls').to.deep.equal([]);
    expect(await victim.stop()).to.equal(null); // killed by the signal, not exited

    // Each replica's log has one `rpc` line per call it answered; split them at the kill.
    await Promise.all(survivors.map((r) => r.stop()));
    const times = await Promise.all(replicas.map(async (r) => rpcLogTimes(await outputComplete(r), GET_DASHBOARD)));
    const before = times.map((t) => t.filter((ms) => ms < killedAt).length);
    const after = times.map((t) => t.filter((ms) => ms > killedAt).length);
    const victimIndex = replicas.indexOf(victim);
    console.log(`      calls ${CALLS}, failures ${failures.length}; per replica before kill ${before.join('/')}, after ${after.join('/')} (replica ${victimIndex} killed)`);

    // Every call was answered (no failure above). The logs can only bound it: logging is
    // asynchronous, so the victim loses whatever pino still buffered when SIGKILL landed (tens of
    // lines on Node 24+, and more on a loaded machine); the survivors stopped cleanly, so their
    // lines are all there. The victim's share before the kill is therefore read off theirs: of
    // the calls before it (all but the few in flight were answered), the survivors took the rest.
    const survivorsBefore = survivors.map((r) => before[replicas.indexOf(r)]!);
    for (const n of survivorsBefore) expect(n, `before kill: ${before.join('/')}`).to.be.within(KILL_AT * 0.2, KILL_AT * 0.5);
    const victimBefore = KILL_AT - survivorsBefore.reduce((a, b) => a + b, 0);
    expect(victimBefore, `the victim's share before the kill (${before.join('/')})`).to.be.at.least(KILL_AT * 0.2);
    const afterTotal = after.reduce((a, b) => a + b, 0);
    expect(afterTotal).to.be.at.least(CALLS - KILL_AT - CONCURRENCY);
    for (const r of survivors) expect(after[replicas.indexOf(r)], `after kill: ${after.join('/')}`).to.be.at.least(afterTotal * 0.3);
  });
});
