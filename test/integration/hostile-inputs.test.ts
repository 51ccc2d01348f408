import { status } from '@grpc/grpc-js';
import { expect } from 'chai';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createAuthClient, createDashboardClient } from '@grpc-token-auth/sdk';
import { spawnService, type ServiceProcess } from '../../scripts/support/service-process.js';
import { within } from '../support/eventually.js';
import { bearer, expectStatus } from '../support/grpc.js';
import { healthCheck } from '../support/hostile.js';
import { scrape, valueOf, rpcLabels } from '../support/metrics.js';
import { freePort } from '../support/postgres.js';
import { grpcFrame, rawCall, rawSession } from '../support/raw-http2.js';
import { startSystem, testEnv, type RunningSystem } from '../support/system.js';

describe('hostile inputs (real processes)', function () {
  this.timeout(30_000);
  let sys: RunningSystem;
  const email = 'edge@example.com';
  const password = 'hostile-inputs-passphrase';
  let token: string;

  before(async () => {
    sys = await startSystem();
    const auth = createAuthClient(sys.authAddress);
    await auth.register({ email, password, displayName: 'Inputs' });
    token = (await auth.login({ email, password })).accessToken;
    auth.close();
  });
  after(async () => sys?.stop());

  it('never prints a token that grpc-js could not parse (a non-ASCII character after a valid token), at any level', async () => {
    for (const target of [sys.auth, sys.business]) {
      const raw = await rawSession(target.port);
      // 'é' is valid latin-1 on the wire, but not gRPC ASCII metadata: grpc-js refuses the entry and logs it.
      const outcome = await rawCall(raw, '/grpc.health.v1.Health/Check', { authorization: `Bearer ${token}é` });
      expect(outcome.code).to.equal(status.OK);
      raw.destroy();
      await within(1000, async () => target.output.some((l) => l.includes('Failed to add metadata entry')), 'grpc-js logged the refusal');
      const printed = target.output.join('\n');
      expect(printed).to.not.include(token);
      expect(printed).to.not.include(token.split('.')[1]!); // not even the claims segment
      const line = target.output.find((l) => l.includes('Failed to add metadata entry'))!;
      expect(JSON.parse(line)).to.include({ source: 'grpc-js', msg: 'Failed to add metadata entry authorization: [redacted]' });
    }
  });

  it('records an undecodable request body with the status the client got (INTERNAL), in the log line and the metrics', async () => {
    const raw = await rawSession(sys.auth.port);
    const method = '/auth.v1.AuthService/Login';
    // Field 1 (email) as a length-delimited value claiming 100 bytes that are not there.
    const outcome = await rawCall(raw, method, {}, grpcFrame(Uint8Array.from([0x0a, 100, 1, 2])));
    raw.destroy();
    expect(outcome.code).to.equal(status.INTERNAL);
    await within(1000, async () => sys.auth.output.some((l) => l.includes(method) && l.includes('"code":"INTERNAL"')), 'rpc line with INTERNAL');
    expect(sys.auth.output.some((l) => l.includes(method) && l.includes('"code":"CANCELLED"'))).to.equal(false);
    const samples = await scrape(sys.auth.metricsPort!);
    expect(valueOf(samples, 'grpc_server_handled_total', rpcLabels(method, 'INTERNAL'))).to.equal(1);
    expect(valueOf(samples, 'grpc_server_handled_total', rpcLabels(method, 'CANCELLED')) ?? 0).to.equal(0);
  });

  it('answers a call without a valid token UNAUTHENTICATED whatever its body (undecodable, two messages): the refusal comes before decoding', async () => {
    const raw = await rawSession(sys.business.port);
    const method = '/business.v1.NotesService/GetNote';
    const undecodable = grpcFrame(Uint8Array.from([0x0a, 100, 1, 2]));
    for (const headers of [{} as Record<string, string>, { authorization: 'Bearer not-a-jwt' }, { authorization: `Bearer ${token.slice(0, -4)}AAAA` }]) {
      // Decoding it would answer INTERNAL; a handler reading two messages would answer UNIMPLEMENTED.
      for (const body of [undecodable, Buffer.concat([undecodable, undecodable])]) {
        const outcome = await rawCall(raw, method, headers, body);
        expect(outcome.code, `${JSON.stringify(headers)}: ${outcome.details}`).to.equal(status.UNAUTHENTICATED);
      }
    }
    // With the token, the same body is decoded (and refused as grpc-js refuses it).
    expect((await rawCall(raw, method, { authorization: `Bearer ${token}` }, undecodable)).code).to.equal(status.INTERNAL);
    raw.destroy();
  });
});

describe('readiness tells the truth: business-svc without verification keys (real processes)', function () {
  this.timeout(30_000);
  let dir: string;
  let business: ServiceProcess | undefined;
  let auth: ServiceProcess | undefined;

  before(() => (dir = mkdtempSync(join(tmpdir(), 'readiness-'))));
  after(async () => {
    await Promise.all([business?.stop(), auth?.stop()]);
    rmSync(dir, { recursive: true, force: true });
  });

  it('says NOT_SERVING and answers UNAVAILABLE while auth-svc is unreachable, then SERVING and verifies once keys arrive', async () => {
    const authPort = await freePort();
    const env = testEnv(dir, { AUTH_ADDRESS: `127.0.0.1:${authPort}`, KEYS_MIN_FETCH_INTERVAL_MS: '200' });
    business = await spawnService('business-svc', { env });
    const address = `127.0.0.1:${business.port}`;
    expect((await healthCheck(address)).status).to.equal('NOT_SERVING');
    expect((await healthCheck(address, 'business.v1.NotesService')).status).to.equal('NOT_SERVING');
    const dashboard = createDashboardClient(address);
    // A token business-svc cannot judge yet: UNAVAILABLE (retry), not UNAUTHENTICATED (sign in again).
    const someToken = 'eyJhbGciOiJSUzI1NiIsImtpZCI6ImsxIn0.eyJzdWIiOiJ4In0.c2ln';
    await expectStatus(dashboard.getDashboard({}, { metadata: bearer(someToken) }), status.UNAVAILABLE, /keys are not loaded/);

    auth = await spawnService('auth-svc', { env: { ...testEnv(dir), AUTH_PORT: String(authPort) } });
    await within(5000, async () => (await healthCheck(address)).status === 'SERVING', 'business-svc SERVING once keys arrive');
    const authClient = createAuthClient(`127.0.0.1:${authPort}`);
    await authClient.register({ email: 'ready@example.com', password: 'readiness-passphrase', displayName: 'Ready' });
    const { accessToken } = await authClient.login({ email: 'ready@example.com', password: 'readiness-passphrase' });
    expect((await dashboard.getDashboard({}, { metadata: bearer(accessToken) })).userId).to.be.a('string');
    authClient.close();
    dashboard.close();
  });
});
