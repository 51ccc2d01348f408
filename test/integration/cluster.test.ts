import { status } from '@grpc/grpc-js';
import { expect } from 'chai';
import { createAuthClient, createDashboardClient, type AuthClient, type DashboardClient } from '@grpc-token-auth/sdk';
import { failsWith, within } from '../support/eventually.js';
import { bearer } from '../support/grpc.js';
import { httpRequest } from '../support/http.js';
import { scrape, valueOf, rpcLabels } from '../support/metrics.js';
import { startSystem, type RunningSystem } from '../support/system.js';

/** Each client its own connection (grpc-js shares them by default), so cluster scheduling spreads them. */
const OWN_CONNECTION = { channelOptions: { 'grpc.use_local_subchannel_pool': 1 } };

describe('all cores: WORKERS=2 for both services (real processes)', () => {
  let sys: RunningSystem;
  let auth: AuthClient;
  let dashboards: DashboardClient[];
  const email = 'cluster@example.com';
  const password = 'correct-horse-battery-staple';

  before(async () => {
    sys = await startSystem({ WORKERS: '2' });
    auth = createAuthClient(sys.authAddress);
    dashboards = Array.from({ length: 6 }, () => createDashboardClient(sys.businessAddress, OWN_CONNECTION));
    await auth.register({ email, password, displayName: 'Cluster' });
  });
  after(async () => {
    auth?.close();
    for (const d of dashboards ?? []) d.close();
    await sys?.stop();
  });

  const workersServing = (output: string[], method: string) =>
    new Set(output.filter((l) => l.includes(method) && l.includes('"msg":"rpc"')).map((l) => (JSON.parse(l) as { worker: number }).worker));

  it('serves one port from both workers, each with its own verifier', async () => {
    const { accessToken } = await auth.login({ email, password });
    for (const d of dashboards) expect((await d.getDashboard({}, { metadata: bearer(accessToken) })).displayName).to.equal('Cluster');
    await within(2000, async () => workersServing(sys.business.output, 'GetDashboard').size === 2, 'both business workers served calls');
  });

  it('the primary serves every worker\'s metrics merged into one scrape', async () => {
    const { accessToken } = await auth.login({ email, password });
    const port = sys.business.metricsPort!;
    const method = '/business.v1.DashboardService/GetDashboard';
    const before = valueOf(await scrape(port), 'grpc_server_handled_total', rpcLabels(method, 'OK')) ?? 0;
    for (const d of dashboards) await d.getDashboard({}, { metadata: bearer(accessToken) });
    const samples = await scrape(port);
    expect(valueOf(samples, 'grpc_server_handled_total', rpcLabels(method, 'OK'))).to.equal(before + dashboards.length);
    expect(valueOf(samples, 'revocation_stream_connected'), 'min over workers: every worker is in sync').to.equal(1);
  });

  it('every auth worker serves the discovery/JWKS listener on one shared port', async () => {
    const lines = sys.auth.output.filter((l) => l.includes('"msg":"http listening"')).map((l) => JSON.parse(l) as { port: number; worker: number });
    expect(new Set(lines.map((l) => l.worker)).size, 'one listener per worker').to.equal(2);
    expect(new Set(lines.map((l) => l.port))).to.deep.equal(new Set([sys.auth.httpPort]));
    for (let i = 0; i < 6; i++) expect((await httpRequest(sys.auth.httpPort!, '/.well-known/jwks.json')).status).to.equal(200);
  });

  it('a logout through any auth worker is refused by every business worker within 1 s', async () => {
    const { accessToken } = await auth.login({ email, password });
    for (const d of dashboards) await d.getDashboard({}, { metadata: bearer(accessToken) }); // cached everywhere
    await auth.logout({}, { metadata: bearer(accessToken) });
    await within(
      1000,
      async () => {
        for (const d of dashboards) if (!(await failsWith(d.getDashboard({}, { metadata: bearer(accessToken) }), status.UNAUTHENTICATED))) return false;
        return true;
      },
      'every connection (both workers) refuses the revoked session',
    );
  });

  it('replaces a worker that dies, and keeps serving meanwhile', async function () {
    this.timeout(15_000);
    const pids = sys.business.output
      .filter((l) => l.includes('"msg":"worker listening"'))
      .map((l) => (JSON.parse(l) as { pid: number }).pid);
    expect(pids).to.have.length(2);
    process.kill(pids[0]!, 'SIGKILL');
    const { accessToken } = await auth.login({ email, password });
    const fresh = createDashboardClient(sys.businessAddress, OWN_CONNECTION);
    try {
      expect((await fresh.getDashboard({}, { metadata: bearer(accessToken) })).userId).to.be.a('string');
    } finally {
      fresh.close();
    }
    await within(5000, async () => sys.business.output.filter((l) => l.includes('"msg":"worker listening"')).length === 3, 'a replacement worker');
    expect(sys.business.output.join('\n')).to.include('worker died; starting a replacement');
  });
});
