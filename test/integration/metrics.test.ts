import { status } from '@grpc/grpc-js';
import { expect } from 'chai';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createAuthClient, createDashboardClient, createNotesClient } from '@grpc-token-auth/sdk';
import { AuthServiceService } from '../../gen/auth/v1/auth_service.js';
import { DashboardServiceService } from '../../gen/business/v1/dashboard_service.js';
import { NotesServiceService } from '../../gen/business/v1/notes_service.js';
import { spawnService } from '../../scripts/support/service-process.js';
import { within } from '../support/eventually.js';
import { bearer, expectStatus, md } from '../support/grpc.js';
import { httpGet, scrape, valueOf, type Sample, rpcLabels } from '../support/metrics.js';
import { startSystem, testEnv, type RunningSystem } from '../support/system.js';

const DASHBOARD = DashboardServiceService.getDashboard.path;
const LOGIN = AuthServiceService.login.path;

/** Swaps the payload for one naming another subject, keeping the original signature. */
function tamper(token: string): string {
  const [h, p, s] = token.split('.') as [string, string, string];
  const payload = JSON.parse(Buffer.from(p, 'base64url').toString()) as Record<string, unknown>;
  payload.sub = 'someone-else';
  return `${h}.${Buffer.from(JSON.stringify(payload)).toString('base64url')}.${s}`;
}

describe('Prometheus metrics, scraped after traffic (real processes)', () => {
  let sys: RunningSystem;
  let authPort: number;
  let businessPort: number;
  const email = 'metrics-alice@example.com';
  const password = 'a-long-and-unguessable-passphrase';
  const secrets: string[] = [];

  before(async function () {
    this.timeout(30_000);
    sys = await startSystem({ LOGIN_MAX_ACCOUNT_FAILURES: '3' });
    authPort = sys.auth.metricsPort!;
    businessPort = sys.business.metricsPort!;
    const auth = createAuthClient(sys.authAddress);
    const dashboard = createDashboardClient(sys.businessAddress);
    const notes = createNotesClient(sys.businessAddress);
    try {
      const login = (e: string, p: string) => auth.login({ email: e, password: p });
      await auth.register({ email, password, displayName: 'Alice' });
      // Logins: 2 success, 4 bad_credentials, 1 throttled, 1 invalid_request.
      const first = await login(email, password);
      const second = await login(email, password);
      await expectStatus(login(email, 'wrong-password-guess'), status.UNAUTHENTICATED);
      await expectStatus(login('', password), status.INVALID_ARGUMENT);
      for (let i = 0; i < 3; i++) await expectStatus(login('nobody@example.com', 'wrong-password-guess'), status.UNAUTHENTICATED);
      await expectStatus(login('nobody@example.com', 'wrong-password-guess'), status.RESOURCE_EXHAUSTED);
      // Refresh: a success, the same token again at once = a retry (same successor), the successor used = a success,
      // then the first token once more = reuse, which revokes the first session.
      const successor = await auth.refresh({ refreshToken: first.refreshToken });
      expect((await auth.refresh({ refreshToken: first.refreshToken })).refreshToken).to.equal(successor.refreshToken);
      await auth.refresh({ refreshToken: successor.refreshToken });
      await expectStatus(auth.refresh({ refreshToken: first.refreshToken }), status.UNAUTHENTICATED, /already used/);
      secrets.push(first.accessToken, first.refreshToken, second.accessToken, second.refreshToken);

      // business-svc: 3 accepted dashboard calls with one token, 2 with a bad signature, 1 without a token.
      const token = second.accessToken;
      for (let i = 0; i < 3; i++) await dashboard.getDashboard({}, { metadata: bearer(token) });
      for (let i = 0; i < 2; i++) await expectStatus(dashboard.getDashboard({}, { metadata: bearer(tamper(token)) }), status.UNAUTHENTICATED);
      await expectStatus(dashboard.getDashboard({}, { metadata: md() }), status.UNAUTHENTICATED);
      await notes.createNote({ title: 'metrics', body: 'counted' }, { metadata: bearer(token) });
      await notes.listNotes({ pageSize: 10, pageToken: '' }, { metadata: bearer(token) });

      // The reused refresh token revoked the first session; once business-svc knows, its token is refused as revoked.
      await within(3000, async () => valueOf(await scrape(businessPort), 'revoked_sessions') === 1, 'revocation reached business-svc');
      await expectStatus(dashboard.getDashboard({}, { metadata: bearer(first.accessToken) }), status.UNAUTHENTICATED, /revoked/);
    } finally {
      auth.close();
      dashboard.close();
      notes.close();
    }
  });
  after(async () => {
    await sys?.stop();
  });

  it('announces each metrics port (ephemeral with 0) apart from the gRPC port', () => {
    expect(authPort).to.be.a('number').and.not.equal(sys.auth.port);
    expect(businessPort).to.be.a('number').and.not.equal(sys.business.port).and.not.equal(authPort);
  });

  it('serves GET /metrics in the Prometheus text format, and 404 / 405 for anything else', async () => {
    const ok = await httpGet(businessPort);
    expect(ok.status).to.equal(200);
    expect(ok.contentType).to.match(/^text\/plain; version=0\.0\.4/);
    expect((await httpGet(businessPort, '/')).status).to.equal(404);
    expect((await httpGet(businessPort, '/metrics/../debug')).status).to.equal(404);
    expect((await httpGet(authPort, '/metrics', 'POST')).status).to.equal(405);
  });

  it('counts RPCs by method and status code, with a latency histogram per method', async () => {
    const s = await scrape(businessPort);
    expect(valueOf(s, 'grpc_server_handled_total', rpcLabels(DASHBOARD, 'OK'))).to.equal(3);
    expect(valueOf(s, 'grpc_server_handled_total', rpcLabels(DASHBOARD, 'UNAUTHENTICATED'))).to.equal(4);
    expect(valueOf(s, 'grpc_server_handled_total', rpcLabels(NotesServiceService.createNote.path, 'OK'))).to.equal(1);
    expect(valueOf(s, 'grpc_server_handled_total', rpcLabels(NotesServiceService.listNotes.path, 'OK'))).to.equal(1);
    expect(valueOf(s, 'grpc_server_handling_seconds_count', rpcLabels(DASHBOARD))).to.equal(7);
    expect(valueOf(s, 'grpc_server_handling_seconds_bucket', { ...rpcLabels(DASHBOARD), le: '+Inf' })).to.equal(7);
    const buckets = s.filter((x) => x.name === 'grpc_server_handling_seconds_bucket' && x.labels.grpc_method === 'GetDashboard');
    expect(buckets.map((b) => b.labels.le)).to.include.members(['0.0005', '0.01', '1', '10', '+Inf']);
    const counts = buckets.map((b) => b.value);
    expect(counts, 'cumulative').to.deep.equal([...counts].sort((a, b) => a - b));
    expect(valueOf(s, 'grpc_server_handling_seconds_sum', rpcLabels(DASHBOARD))).to.be.greaterThan(0);
    expect(valueOf(s, 'grpc_server_handled_total', { ...rpcLabels(DASHBOARD, 'OK'), service: 'business-svc' }), 'service label').to.equal(3);
    // go-grpc-middleware's names, as dashboards expect them: every grpc_server_* series has them, none the old `method`/`code`.
    expect(valueOf(s, 'grpc_server_started_total', rpcLabels(DASHBOARD))).to.equal(7);
    expect(s.find((x) => x.name === 'grpc_server_handled_total')!.labels).to.include.keys('grpc_type', 'grpc_service', 'grpc_method', 'grpc_code');
    expect(s.filter((x) => x.name.startsWith('grpc_server_')).some((x) => 'method' in x.labels || 'code' in x.labels)).to.equal(false);
  });

  it('counts authentication rejections by reason', async () => {
    const s = await scrape(businessPort);
    expect(valueOf(s, 'authn_rejections_total', { reason: 'invalid_signature' })).to.equal(2);
    expect(valueOf(s, 'authn_rejections_total', { reason: 'missing' })).to.equal(1);
    expect(valueOf(s, 'authn_rejections_total', { reason: 'revoked' })).to.equal(1);
    expect(valueOf(s, 'authn_rejections_total', { reason: 'expired' }), 'no series for reasons that never happened').to.equal(undefined);
  });

  it('counts login and refresh outcomes on auth-svc, reuse of a refresh token included', async () => {
    const s = await scrape(authPort);
    const login = (outcome: string) => valueOf(s, 'auth_login_attempts_total', { outcome });
    expect([login('success'), login('bad_credentials'), login('throttled'), login('invalid_request'), login('disabled'), login('error')]).to.deep.equal([
      2, 4, 1, 1, 0, 0,
    ]);
    const refresh = (outcome: string) => valueOf(s, 'auth_refresh_attempts_total', { outcome });
    const outcomes = ['success', 'retried', 'reused', 'unknown', 'expired', 'revoked'];
    expect(outcomes.map(refresh)).to.deep.equal([2, 1, 1, 0, 0, 0]);
    expect(valueOf(s, 'grpc_server_handled_total', rpcLabels(LOGIN, 'RESOURCE_EXHAUSTED'))).to.equal(1);
    expect(valueOf(s, 'grpc_server_handled_total', { ...rpcLabels(LOGIN, 'OK'), service: 'auth-svc' })).to.equal(2);
  });

  it('exposes token-cache hits, misses and hit ratio', async () => {
    const s = await scrape(businessPort);
    // One token used 5 times (1 miss, 4 hits); the tampered one: 1 miss, then a remembered refusal; the revoked one: 1 miss.
    expect(valueOf(s, 'authn_token_cache_lookups_total', { result: 'hit' })).to.equal(4);
    expect(valueOf(s, 'authn_token_cache_lookups_total', { result: 'negative_hit' })).to.equal(1);
    expect(valueOf(s, 'authn_token_cache_lookups_total', { result: 'miss' })).to.equal(3);
    expect(valueOf(s, 'authn_token_cache_hit_ratio')).to.be.closeTo(5 / 8, 1e-9);
    expect(valueOf(s, 'authn_token_cache_entries')).to.equal(2);
    // Scraping again does not count anything twice.
    expect(valueOf(await scrape(businessPort), 'authn_token_cache_lookups_total', { result: 'hit' })).to.equal(4);
  });

  it('shows the revocation stream in sync on business-svc and its subscriber on auth-svc', async () => {
    const b = await scrape(businessPort);
    expect(valueOf(b, 'revocation_stream_connected')).to.equal(1);
    expect(valueOf(b, 'revocation_stream_reconnects_total')).to.equal(0);
    expect(valueOf(b, 'revoked_sessions')).to.equal(1);
    const a = await scrape(authPort);
    expect(valueOf(a, 'revocation_subscribers')).to.equal(1);
    expect(valueOf(a, 'revoked_sessions')).to.equal(1);
  });

  it('includes process metrics labelled with the service', async () => {
    for (const [port, service] of [[authPort, 'auth-svc'], [businessPort, 'business-svc']] as const) {
      const s: Sample[] = await scrape(port);
      expect(valueOf(s, 'process_resident_memory_bytes', { service })).to.be.greaterThan(0);
      expect(s.some((x) => x.name.startsWith('nodejs_eventloop_lag') && x.labels.service === service)).to.equal(true);
    }
  });

  it('never exposes emails or tokens', async () => {
    for (const port of [authPort, businessPort]) {
      const { body } = await httpGet(port);
      expect(body).not.to.contain(email);
      expect(body).not.to.contain('nobody@example.com');
      for (const secret of secrets) expect(body).not.to.contain(secret);
      expect(body.toLowerCase()).not.to.contain('bearer');
    }
  });

  // Last: restarts auth-svc.
  it('counts the stream\'s loss and shows it back in sync after auth-svc restarts', async function () {
    this.timeout(15_000);
    await sys.restartAuth();
    await within(
      8000,
      async () => {
        const s = await scrape(businessPort);
        return valueOf(s, 'revocation_stream_connected') === 1 && (valueOf(s, 'revocation_stream_reconnects_total') ?? 0) >= 1;
      },
      'revocation stream lost, counted, and back in sync',
    );
    expect(valueOf(await scrape(sys.auth.metricsPort!), 'revocation_subscribers')).to.equal(1);
  });
});

describe('metrics switched off (real process)', () => {
  it('starts auth-svc without a metrics listener when AUTH_METRICS_PORT=off', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'grpc-token-auth-metrics-off-'));
    const auth = await spawnService('auth-svc', { env: testEnv(dir, { AUTH_METRICS_PORT: 'off' }) });
    try {
      expect(auth.port).to.be.greaterThan(0);
      expect(auth.metricsPort).to.equal(undefined);
      expect(auth.output.some((l) => l.includes('metrics listening'))).to.equal(false);
    } finally {
      await auth.stop();
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
