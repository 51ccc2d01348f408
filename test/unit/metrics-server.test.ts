import { expect } from 'chai';
import { pino } from 'pino';
import { Counter, Registry } from 'prom-client';
import { registryScrape, startMetricsServer, type RunningMetricsServer } from '../../lib/metrics/metrics-server.js';
import { httpGet } from '../support/metrics.js';

describe('metrics HTTP server', () => {
  const log = pino({ level: 'silent' });
  let server: RunningMetricsServer | undefined;
  afterEach(async () => {
    await server?.close();
    server = undefined;
  });

  it('serves the registry at GET /metrics with the registry\'s content type', async () => {
    const registry = new Registry();
    new Counter({ name: 'demo_total', help: 'demo', registers: [registry] }).inc(3);
    server = await startMetricsServer({ host: '127.0.0.1', port: 0, log }, registryScrape(registry));
    const res = await httpGet(server.port, '/metrics?x=1');
    expect(res.status).to.equal(200);
    expect(res.contentType).to.equal(registry.contentType);
    expect(res.body).to.contain('demo_total 3');
    const head = await httpGet(server.port, '/metrics', 'HEAD');
    expect([head.status, head.body]).to.deep.equal([200, '']);
  });

  it('answers 404 for other paths and 405 for other methods, without collecting', async () => {
    let collected = 0;
    server = await startMetricsServer({ host: '127.0.0.1', port: 0, log }, async () => (collected++, { contentType: 'text/plain', body: '' }));
    for (const path of ['/', '/metric', '/metrics/', '/metricsx', '/debug/pprof']) expect((await httpGet(server.port, path)).status, path).to.equal(404);
    for (const method of ['POST', 'PUT', 'DELETE']) expect((await httpGet(server.port, '/metrics', method)).status, method).to.equal(405);
    expect(collected).to.equal(0);
  });

  it('answers 500 when collection fails, without echoing the error', async () => {
    server = await startMetricsServer({ host: '127.0.0.1', port: 0, log }, () => Promise.reject(new Error('secret detail')));
    const res = await httpGet(server.port);
    expect(res.status).to.equal(500);
    expect(res.body).not.to.contain('secret detail');
  });

  it('fails to start on a port that is taken', async () => {
    server = await startMetricsServer({ host: '127.0.0.1', port: 0, log }, registryScrape(new Registry()));
    let err: unknown;
    await startMetricsServer({ host: '127.0.0.1', port: server.port, log }, registryScrape(new Registry())).then(
      (s) => s.close(),
      (e: unknown) => (err = e),
    );
    expect((err as NodeJS.ErrnoException | undefined)?.code).to.equal('EADDRINUSE');
  });
});
