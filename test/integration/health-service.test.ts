import { credentials, Server, ServerCredentials, status, type ServiceError } from '@grpc/grpc-js';
import { expect } from 'chai';
import { HealthCheckResponse_ServingStatus as Serving, HealthClient, type HealthCheckResponse } from '../../gen/grpc/health/v1/health.js';
import { HealthStatuses } from '../../lib/grpc/health-service.js';

/** grpc.health.v1.Health on the generated code, over loopback with grpc-js's own client. */
describe('HealthStatuses (grpc.health.v1.Health: Check, Watch, List)', () => {
  let server: Server;
  let client: HealthClient;
  let health: HealthStatuses;

  before(async () => {
    server = new Server();
    health = new HealthStatuses(['', 'notes.v1.Notes'], Serving.NOT_SERVING);
    health.addToServer(server);
    const port = await new Promise<number>((resolve, reject) =>
      server.bindAsync('127.0.0.1:0', ServerCredentials.createInsecure(), (err, p) => (err ? reject(err) : resolve(p))),
    );
    client = new HealthClient(`127.0.0.1:${port}`, credentials.createInsecure());
  });
  after(() => {
    client?.close();
    server?.forceShutdown();
  });

  const check = (service: string) =>
    new Promise<HealthCheckResponse>((resolve, reject) => client.check({ service }, (err, res) => (err ? reject(err) : resolve(res))));

  it('Check answers each known service and NOT_FOUND for any other', async () => {
    health.set('notes.v1.Notes', Serving.SERVING);
    expect((await check('notes.v1.Notes')).status).to.equal(Serving.SERVING);
    expect((await check('')).status).to.equal(Serving.NOT_SERVING);
    const err = (await check('no.such.Service').then(() => undefined, (e: ServiceError) => e))!;
    expect(err.code).to.equal(status.NOT_FOUND);
    expect(err.details).to.equal('Health status unknown for service no.such.Service');
  });

  it('Watch sends the status now and then once per change (a repeated set sends nothing); an unknown service is SERVICE_UNKNOWN', async () => {
    health.set('', Serving.NOT_SERVING);
    const seen: Serving[] = [];
    const call = client.watch({ service: '' });
    call.on('data', (r: HealthCheckResponse) => seen.push(r.status));
    call.on('error', () => undefined);
    await until(() => seen.length === 1);
    health.set('', Serving.NOT_SERVING);
    health.set('', Serving.SERVING);
    health.set('', Serving.SERVING);
    health.set('', Serving.NOT_SERVING);
    await until(() => seen.length === 3);
    await new Promise((r) => setTimeout(r, 100));
    expect(seen).to.deep.equal([Serving.NOT_SERVING, Serving.SERVING, Serving.NOT_SERVING]);
    call.cancel();

    const unknown: Serving[] = [];
    const other = client.watch({ service: 'no.such.Service' });
    other.on('data', (r: HealthCheckResponse) => unknown.push(r.status));
    other.on('error', () => undefined);
    await until(() => unknown.length === 1);
    expect(unknown).to.deep.equal([Serving.SERVICE_UNKNOWN]);
    other.cancel();
  });

  it('a cancelled Watch is forgotten: later changes are not written to it', async () => {
    const call = client.watch({ service: 'notes.v1.Notes' });
    let got = 0;
    call.on('data', () => got++);
    call.on('error', () => undefined);
    await until(() => got === 1);
    call.cancel();
    await new Promise((r) => setTimeout(r, 100));
    const watchers = (health as unknown as { watchers: Map<string, Set<unknown>> }).watchers;
    expect(watchers.has('notes.v1.Notes'), 'no watcher left for the service').to.equal(false);
  });

  it('List answers every service with its status', async () => {
    health.set('notes.v1.Notes', Serving.SERVING);
    health.set('', Serving.NOT_SERVING);
    const res = await new Promise<{ statuses: Record<string, HealthCheckResponse> }>((resolve, reject) =>
      client.list({}, (err, r) => (err ? reject(err) : resolve(r))),
    );
    expect(res.statuses).to.deep.equal({ '': { status: Serving.NOT_SERVING }, 'notes.v1.Notes': { status: Serving.SERVING } });
  });
});

async function until(done: () => boolean, timeoutMs = 2000): Promise<void> {
  const end = Date.now() + timeoutMs;
  while (!done()) {
    if (Date.now() > end) throw new Error('timed out');
    await new Promise((r) => setTimeout(r, 10));
  }
}
