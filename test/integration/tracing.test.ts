import { randomBytes } from 'node:crypto';
import { status } from '@grpc/grpc-js';
import { expect } from 'chai';
import { createAuthClient, createDashboardClient, type AuthClient, type DashboardClient } from '@grpc-token-auth/sdk';
import { within } from '../support/eventually.js';
import { expectStatus, md } from '../support/grpc.js';
import { rpcLabels, scrape, valueOf } from '../support/metrics.js';
import { startOtlpReceiver, type ExportedSpan, type OtlpReceiver } from '../support/otlp-receiver.js';
import { startSystem, type RunningSystem } from '../support/system.js';

const SERVER = 2;
const CLIENT = 3;
const ERROR = 2;
const hex = (bytes: number) => randomBytes(bytes).toString('hex');

describe('tracing across the hop: both services with only the standard OTEL_* variables, exported to a local OTLP/HTTP JSON receiver (real processes)', () => {
  let receiver: OtlpReceiver;
  let sys: RunningSystem;
  let auth: AuthClient;
  let dashboard: DashboardClient;
  let token: string;

  before(async () => {
    receiver = await startOtlpReceiver();
    sys = await startSystem({
      OTEL_EXPORTER_OTLP_ENDPOINT: receiver.endpoint,
      OTEL_EXPORTER_OTLP_PROTOCOL: 'http/json',
      OTEL_BSP_SCHEDULE_DELAY: '50',
      // Every dashboard call asks auth-svc for the display name: the second hop.
      DISPLAY_NAME_CACHE_SECONDS: '0',
    });
    auth = createAuthClient(sys.authAddress);
    dashboard = createDashboardClient(sys.businessAddress);
    await auth.register({ email: 'tracy@example.com', password: 'correct-horse-battery-staple', displayName: 'Tracy' });
    token = (await auth.login({ email: 'tracy@example.com', password: 'correct-horse-battery-staple' })).accessToken;
  });
  after(async () => {
    auth?.close();
    dashboard?.close();
    await sys?.stop();
    await receiver?.close();
  });

  const inTrace = (traceId: string) => receiver.spans.filter((s) => s.traceId === traceId);
  const find = (spans: ExportedSpan[], service: string, kind: number, name: string) => spans.find((s) => s.service === service && s.kind === kind && s.name === name);

  it('one GetDashboard with a client traceparent: business-svc\'s server span is the caller\'s child, its call to auth-svc a client span, and auth-svc\'s server span that client span\'s child', async () => {
    const traceId = hex(16);
    const callerSpanId = hex(8);
    const answer = await dashboard.getDashboard({}, { metadata: md({ authorization: `Bearer ${token}`, traceparent: `00-${traceId}-${callerSpanId}-01` }) });
    expect(answer.displayName).to.equal('Tracy');
    // Each process exports on its own schedule: wait for business-svc's server span, which ends last.
    await within(5000, async () => find(inTrace(traceId), 'business-svc', SERVER, 'business.v1.DashboardService/GetDashboard') !== undefined, 'business-svc\'s server span exported');
    await within(5000, async () => find(inTrace(traceId), 'auth-svc', SERVER, 'auth.v1.UserDirectory/GetUser') !== undefined, 'auth-svc\'s server span exported');
    const spans = inTrace(traceId);
    const front = find(spans, 'business-svc', SERVER, 'business.v1.DashboardService/GetDashboard')!;
    const out = find(spans, 'business-svc', CLIENT, 'auth.v1.UserDirectory/GetUser')!;
    const back = find(spans, 'auth-svc', SERVER, 'auth.v1.UserDirectory/GetUser')!;
    expect(front, `business-svc server span among ${JSON.stringify(spans.map((s) => [s.service, s.kind, s.name]))}`).to.not.equal(undefined);
    expect(out, 'business-svc client span').to.not.equal(undefined);
    expect(back, 'auth-svc server span').to.not.equal(undefined);
    expect(front.parentSpanId).to.equal(callerSpanId);
    expect(out.parentSpanId).to.equal(front.spanId);
    expect(back.parentSpanId).to.equal(out.spanId);
    expect(front.attributes).to.include({ 'rpc.system': 'grpc', 'rpc.service': 'business.v1.DashboardService', 'rpc.method': 'GetDashboard', 'rpc.grpc.status_code': 0, 'network.peer.address': '127.0.0.1' });
    expect(back.attributes).to.include({ 'rpc.system': 'grpc', 'rpc.service': 'auth.v1.UserDirectory', 'rpc.method': 'GetUser', 'rpc.grpc.status_code': 0, 'auth.principal.kind': 'service' });
    expect([front, out, back].map((s) => s.status.code)).to.deep.equal([0, 0, 0]);
    // Log lines written inside the call name its trace.
    expect(sys.business.output.some((l) => l.includes(`"trace_id":"${traceId}"`) && l.includes(`"span_id":"${front.spanId}"`)), 'business-svc rpc line with trace_id').to.equal(true);
  });

  it('a call with a bad token is an error span naming the auth outcome, and no token string is exported anywhere', async () => {
    const traceId = hex(16);
    const forged = token.slice(0, -6) + 'AAAAAA';
    await expectStatus(dashboard.getDashboard({}, { metadata: md({ authorization: `Bearer ${forged}`, traceparent: `00-${traceId}-${hex(8)}-01` }) }), status.UNAUTHENTICATED);
    await within(5000, async () => inTrace(traceId).length > 0, 'the refused call\'s span exported');
    const [span] = inTrace(traceId);
    expect(inTrace(traceId)).to.have.length(1);
    expect(span!).to.deep.include({ service: 'business-svc', kind: SERVER, name: 'business.v1.DashboardService/GetDashboard' });
    expect(span!.status).to.deep.equal({ code: ERROR, message: 'refused: invalid_signature' });
    expect(span!.attributes).to.include({ 'auth.failure_reason': 'invalid_signature', 'rpc.grpc.status_code': status.UNAUTHENTICATED });
    const exported = receiver.bodies.join('\n');
    for (const secret of [token, forged, token.split('.')[1]!, token.split('.')[2]!, forged.split('.')[2]!, 'Bearer ', sys.serviceClient.secret]) {
      expect(exported.includes(secret), 'a token or secret in the exported spans').to.equal(false);
    }
  });

  it('/metrics carries go-grpc-middleware\'s labels (grpc_type, grpc_service, grpc_method, grpc_code)', async () => {
    const s = await scrape(sys.business.metricsPort!);
    expect(valueOf(s, 'grpc_server_handled_total', rpcLabels('/business.v1.DashboardService/GetDashboard', 'OK'))).to.be.at.least(1);
    expect(valueOf(s, 'grpc_server_handled_total', rpcLabels('/business.v1.DashboardService/GetDashboard', 'UNAUTHENTICATED'))).to.be.at.least(1);
    expect(valueOf(s, 'grpc_server_started_total', rpcLabels('/business.v1.DashboardService/GetDashboard'))).to.be.at.least(2);
  });
});

describe('tracing off: OTEL_SDK_DISABLED=true wins over an endpoint (real processes)', () => {
  it('exports nothing and says nothing about tracing', async function () {
    this.timeout(30_000);
    const receiver = await startOtlpReceiver();
    const sys = await startSystem({ OTEL_EXPORTER_OTLP_ENDPOINT: receiver.endpoint, OTEL_EXPORTER_OTLP_PROTOCOL: 'http/json', OTEL_BSP_SCHEDULE_DELAY: '50', OTEL_SDK_DISABLED: 'true' });
    const dashboard = createDashboardClient(sys.businessAddress);
    try {
      await expectStatus(dashboard.getDashboard({}, { metadata: md({ traceparent: `00-${hex(16)}-${hex(8)}-01` }) }), status.UNAUTHENTICATED);
      await new Promise((resolve) => setTimeout(resolve, 500));
      expect(receiver.bodies).to.deep.equal([]);
      expect([...sys.auth.output, ...sys.business.output].some((l) => l.includes('tracing on') || l.includes('trace_id'))).to.equal(false);
    } finally {
      dashboard.close();
      await sys.stop();
      await receiver.close();
    }
  });
});
