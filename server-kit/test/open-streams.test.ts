import { status } from '@grpc/grpc-js';
import { expect } from 'chai';
import { OpenStreams, type ServerError } from '../dist/index.js';
import { servicePrincipal, userPrincipal } from './fixtures.js';

describe('OpenStreams', () => {
  const limits = { maxLiveStreams: 3, maxLiveStreamsPerPrincipal: 2, maxLiveStreamsPerService: 3, maxStreamBacklogBytes: 1024, maxTotalBacklogBytes: 4096 };

  it('caps streams per principal and in all, with RESOURCE_EXHAUSTED, and frees a slot on release', () => {
    const streams = new OpenStreams(limits);
    const alice = userPrincipal({ subject: 'alice' });
    const r1 = streams.open(alice, () => undefined);
    streams.open(alice, () => undefined);
    const third = streams.open(alice, () => undefined) as ServerError;
    expect(third.code).to.equal(status.RESOURCE_EXHAUSTED);
    expect(third.details).to.match(/at most 2 open streams per caller/);
    streams.open(userPrincipal({ subject: 'bob' }), () => undefined);
    expect((streams.open(userPrincipal({ subject: 'carol' }), () => undefined) as ServerError).details).to.match(/too many open streams/);
    (r1 as () => void)();
    expect(streams.open(alice, () => undefined)).to.be.a('function');
  });

  it('a user and a service client with the same subject are different callers', () => {
    const streams = new OpenStreams({ ...limits, maxLiveStreamsPerPrincipal: 1 });
    expect(streams.open(userPrincipal({ subject: 'x' }), () => undefined)).to.be.a('function');
    expect(streams.open(servicePrincipal({ subject: 'x' }), () => undefined)).to.be.a('function');
  });

  it("a service client's cap is its own (a fleet of replicas shares one client)", () => {
    const streams = new OpenStreams({ ...limits, maxLiveStreams: 10, maxLiveStreamsPerPrincipal: 1, maxLiveStreamsPerService: 3 });
    for (let i = 0; i < 3; i++) expect(streams.open(servicePrincipal(), () => undefined)).to.be.a('function');
    expect((streams.open(servicePrincipal(), () => undefined) as ServerError).details).to.match(/at most 3 open streams per caller/);
  });

  it('ends exactly the streams of a revoked session with UNAUTHENTICATED; shutdown ends all with UNAVAILABLE', () => {
    const streams = new OpenStreams({ ...limits, maxLiveStreamsPerPrincipal: 5, maxLiveStreams: 5 });
    const ended: Record<string, number> = {};
    const track = (name: string) => (err: ServerError) => (ended[name] = err.code);
    streams.open(userPrincipal({ sessionId: 's1' }), track('a'));
    streams.open(userPrincipal({ sessionId: 's1' }), track('b'));
    streams.open(userPrincipal({ sessionId: 's2' }), track('c'));
    const release = streams.open(userPrincipal({ sessionId: 's3' }), track('d'));
    if (typeof release !== 'function') throw release;
    release(); // a stream that already ended is no longer its session's
    streams.endSession('s3');
    streams.endSession('s1');
    expect(ended).to.deep.equal({ a: status.UNAUTHENTICATED, b: status.UNAUTHENTICATED });
    streams.endSession('unknown');
    streams.closeAll();
    expect(ended.c).to.equal(status.UNAVAILABLE);
  });
});
