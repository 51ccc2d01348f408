import { status } from '@grpc/grpc-js';
import { expect } from 'chai';
import { AggregatorRegistry, Registry } from 'prom-client';
import { MAX_METHOD_LABELS, OTHER_METHOD, RPC_SECONDS_BUCKETS, RpcMetrics } from '../../lib/metrics/rpc-metrics.js';
import { parseSamples, valueOf, rpcLabels } from '../support/metrics.js';

const M = '/pkg.v1.Service/Method';

async function samplesOf(registry: Registry) {
  return parseSamples(await registry.metrics());
}

describe('RpcMetrics', () => {
  it('counts calls by method and status code name, and observes seconds per method', async () => {
    const registry = new Registry();
    const rpc = new RpcMetrics(registry);
    rpc.forMethod(M, 'unary').finished(status.OK, 0.0004);
    rpc.forMethod(M, 'unary').finished(status.OK, 0.02);
    rpc.forMethod(M, 'unary').finished(status.NOT_FOUND, 3);
    const s = await samplesOf(registry);
    expect(valueOf(s, 'grpc_server_handled_total', rpcLabels(M, 'OK'))).to.equal(2);
    expect(valueOf(s, 'grpc_server_handled_total', rpcLabels(M, 'NOT_FOUND'))).to.equal(1);
    expect(valueOf(s, 'grpc_server_handling_seconds_count', rpcLabels(M))).to.equal(3);
    expect(valueOf(s, 'grpc_server_handling_seconds_bucket', { ...rpcLabels(M), le: '0.0005' })).to.equal(1);
    expect(valueOf(s, 'grpc_server_handling_seconds_bucket', { ...rpcLabels(M), le: '0.025' })).to.equal(2);
    expect(valueOf(s, 'grpc_server_handling_seconds_bucket', { ...rpcLabels(M), le: '2.5' })).to.equal(2);
    expect(valueOf(s, 'grpc_server_handling_seconds_bucket', { ...rpcLabels(M), le: '5' })).to.equal(3);
    expect(valueOf(s, 'grpc_server_handling_seconds_sum', rpcLabels(M))).to.be.closeTo(3.0204, 1e-9);
    expect(s.filter((x) => x.name === 'grpc_server_handling_seconds_bucket')).to.have.length(RPC_SECONDS_BUCKETS.length + 1);
  });

  it('sums two workers\' series the way the cluster primary merges them (counts, buckets, sums)', async () => {
    const workers = [new Registry(), new Registry()];
    const [a, b] = workers.map((r) => new RpcMetrics(r));
    a!.forMethod(M, 'unary').finished(status.OK, 0.0004);
    b!.forMethod(M, 'unary').finished(status.OK, 0.02);
    b!.forMethod(M, 'unary').finished(status.INTERNAL, 0.02);
    const merged = AggregatorRegistry.aggregate(await Promise.all(workers.map((r) => r.getMetricsAsJSON())));
    const s = parseSamples(await merged.metrics());
    expect(valueOf(s, 'grpc_server_handled_total', rpcLabels(M, 'OK'))).to.equal(2);
    expect(valueOf(s, 'grpc_server_handled_total', rpcLabels(M, 'INTERNAL'))).to.equal(1);
    expect(valueOf(s, 'grpc_server_handling_seconds_bucket', { ...rpcLabels(M), le: '0.0005' })).to.equal(1);
    expect(valueOf(s, 'grpc_server_handling_seconds_bucket', { ...rpcLabels(M), le: '+Inf' })).to.equal(3);
    expect(valueOf(s, 'grpc_server_handling_seconds_sum', rpcLabels(M))).to.be.closeTo(0.0404, 1e-9);
    // A second scrape reads the same totals: counts are handed over once, never twice.
    expect(valueOf(parseSamples(await workers[1]!.metrics()), 'grpc_server_handled_total', rpcLabels(M, 'OK'))).to.equal(1);
    expect(valueOf(parseSamples(await workers[1]!.metrics()), 'grpc_server_handled_total', rpcLabels(M, 'OK'))).to.equal(1);
  });

  it('resolves a method\'s series once and hands out the same recorder', () => {
    const rpc = new RpcMetrics(new Registry());
    expect(rpc.forMethod(M, 'unary')).to.equal(rpc.forMethod(M, 'unary'));
  });

  it('files a code outside the gRPC set under UNKNOWN, so a bad code cannot add label values', async () => {
    const registry = new Registry();
    const rpc = new RpcMetrics(registry);
    rpc.forMethod(M, 'unary').finished(99 as status, 0.001);
    rpc.forMethod(M, 'unary').finished(-1 as status, 0.001);
    const s = await samplesOf(registry);
    expect(valueOf(s, 'grpc_server_handled_total', rpcLabels(M, 'UNKNOWN'))).to.equal(2);
    expect(s.filter((x) => x.name === 'grpc_server_handled_total')).to.have.length(1);
  });

  it('bounds the method label: past the cap, further paths share "other"', async () => {
    const registry = new Registry();
    const rpc = new RpcMetrics(registry);
    for (let i = 0; i < MAX_METHOD_LABELS + 50; i++) rpc.forMethod(`/p.S/M${i}`, 'unary').finished(status.OK, 0.001);
    const s = await samplesOf(registry);
    const methods = new Set(s.filter((x) => x.name === 'grpc_server_handled_total').map((x) => `${x.labels.grpc_service}/${x.labels.grpc_method}`));
    expect(methods.size).to.equal(MAX_METHOD_LABELS + 1);
    expect(valueOf(s, 'grpc_server_handled_total', { grpc_service: OTHER_METHOD, grpc_method: OTHER_METHOD, grpc_code: 'OK' })).to.equal(50);
  });

  it('labels the series the way go-grpc-middleware does: grpc_type, grpc_service, grpc_method (and grpc_code), and counts started calls', async () => {
    const registry = new Registry();
    const rpc = new RpcMetrics(registry);
    const watch = rpc.forMethod('/business.v1.NotesService/WatchNotes', 'server_stream');
    watch.started!();
    watch.started!();
    watch.finished(status.CANCELLED, 1);
    const s = await samplesOf(registry);
    const labels = { grpc_type: 'server_stream', grpc_service: 'business.v1.NotesService', grpc_method: 'WatchNotes' };
    expect(valueOf(s, 'grpc_server_started_total', labels)).to.equal(2);
    expect(valueOf(s, 'grpc_server_handled_total', { ...labels, grpc_code: 'CANCELLED' })).to.equal(1);
    expect(valueOf(s, 'grpc_server_handling_seconds_count', labels)).to.equal(1);
    expect(s.filter((x) => x.name.startsWith('grpc_server_')).every((x) => !('method' in x.labels) && !('code' in x.labels))).to.equal(true);
  });

  it('counts rejections by reason, only reasons that happened', async () => {
    const registry = new Registry();
    const rpc = new RpcMetrics(registry);
    rpc.rejected('expired');
    rpc.rejected('expired');
    rpc.rejected('forbidden');
    const s = await samplesOf(registry);
    expect(valueOf(s, 'authn_rejections_total', { reason: 'expired' })).to.equal(2);
    expect(valueOf(s, 'authn_rejections_total', { reason: 'forbidden' })).to.equal(1);
    expect(s.filter((x) => x.name === 'authn_rejections_total')).to.have.length(2);
  });
});
