import { Metadata, status } from '@grpc/grpc-js';
import { expect } from 'chai';
import {
  ANY_USER,
  authenticationInterceptor,
  createAuthenticate,
  liveStream,
  liveStreamInterceptor,
  observabilityInterceptor,
  OpenStreams,
  QUEUED_MESSAGE_OVERHEAD_BYTES,
  serverStream,
  unary,
  type RpcEnd,
} from '../dist/index.js';
import { bearer, drain, EchoMessage, SAY, startEcho, token, verify, WATCH, type Echo, type RunningEcho } from './support/echo.js';

const LIMITS = { maxLiveStreams: 10, maxLiveStreamsPerPrincipal: 2, maxLiveStreamsPerService: 4, maxStreamBacklogBytes: 64 * 1024, maxTotalBacklogBytes: 1024 * 1024 };

/** An echo server whose Watch is a live stream fed by `publish`, and whose Say publishes. */
async function liveEcho(streams: OpenStreams, ends: RpcEnd[] = []): Promise<RunningEcho & { publish: (text: string) => void; subscribers: () => number }> {
  const feeds = new Set<(m: Echo) => void>();
  const publish = (text: string) => feeds.forEach((send) => send({ text }));
  const echo = await startEcho(
    [observabilityInterceptor({ start: () => (end) => ends.push(end) }), authenticationInterceptor(createAuthenticate({ [SAY]: ANY_USER, [WATCH]: ANY_USER }, verify)), liveStreamInterceptor()],
    {
      say: unary<Echo, Echo>((req) => (publish(req.text), { text: 'published' })),
      watch: serverStream<Echo, Echo>((_req, { principal, call }) =>
        liveStream(call, {
          principal,
          streams,
          messageType: EchoMessage,
          attach: (send) => {
            feeds.add(send);
            return () => feeds.delete(send);
          },
        }),
      ),
    },
  );
  return { ...echo, publish, subscribers: () => feeds.size };
}

/** Opens a Watch and waits until the server has attached it (its headers arrived). */
async function subscribe(echo: RunningEcho, metadata: Metadata) {
  const stream = echo.client.watch('x', metadata);
  const ended = drain(stream);
  await new Promise<void>((resolve, reject) => (stream.once('metadata', () => resolve()), ended.then(({ error }) => reject(error ?? new Error('ended')))));
  return { stream, ended };
}

describe('live streams, in process', () => {
  it('end within 1 s of their session being revoked, with UNAUTHENTICATED and the revoked reason; other sessions keep theirs', async () => {
    const streams = new OpenStreams(LIMITS);
    const echo = await liveEcho(streams);
    try {
      const mine = await subscribe(echo, bearer(token('erin', { sessionId: 's-1' })));
      const other = await subscribe(echo, bearer(token('erin', { sessionId: 's-2' })));
      await echo.client.say('before', bearer(token('erin')));
      const started = Date.now();
      streams.endSession('s-1');
      const { messages, error } = await mine.ended;
      expect(Date.now() - started).to.be.below(1000);
      expect(messages.map((m) => m.text)).to.deep.equal(['before']);
      expect([error?.code, error?.metadata.get('auth-failure-reason')]).to.deep.equal([status.UNAUTHENTICATED, ['revoked']]);
      expect(streams.size).to.equal(1);
      other.stream.cancel();
    } finally {
      await echo.stop();
    }
  });

  it('end when the token they were opened with expires, and all end UNAVAILABLE at shutdown', async () => {
    const streams = new OpenStreams(LIMITS);
    const echo = await liveEcho(streams);
    try {
      const expiring = await subscribe(echo, bearer(token('fay', { expiresInSeconds: 1 })));
      const lasting = await subscribe(echo, bearer(token('gus')));
      expect((await expiring.ended).error?.details).to.equal('access token expired; reopen the stream with a fresh token');
      streams.closeAll();
      expect((await lasting.ended).error?.code).to.equal(status.UNAVAILABLE);
      expect(echo.subscribers()).to.equal(0);
    } finally {
      await echo.stop();
    }
  });

  it('cap streams per caller (RESOURCE_EXHAUSTED)', async () => {
    const streams = new OpenStreams(LIMITS);
    const echo = await liveEcho(streams);
    try {
      const open = [await subscribe(echo, bearer(token('hal'))), await subscribe(echo, bearer(token('hal')))];
      const third = await drain(echo.client.watch('x', bearer(token('hal'))));
      expect(third.error?.details).to.equal('at most 2 open streams per caller; close one first');
      for (const s of open) s.stream.cancel();
    } finally {
      await echo.stop();
    }
  });

  it('cut off a reader that stops reading at its byte budget: its queue is dropped, its status sent past it, observers see RESOURCE_EXHAUSTED', async () => {
    const streams = new OpenStreams(LIMITS);
    const ends: RpcEnd[] = [];
    const echo = await liveEcho(streams, ends);
    try {
      const { stream, ended } = await subscribe(echo, bearer(token('ivy')));
      stream.pause();
      const text = 'x'.repeat(8 * 1024);
      let published = 0;
      while (echo.subscribers() > 0 && published < 200) {
        echo.publish(text);
        published++;
        await new Promise((r) => setImmediate(r));
      }
      const perMessage = EchoMessage.encode({ text }).finish().byteLength + QUEUED_MESSAGE_OVERHEAD_BYTES;
      expect(echo.subscribers(), 'cut off').to.equal(0);
      // Its own budget, plus what the flow-control windows let through before the backlog grew.
      expect(published).to.be.below(LIMITS.maxStreamBacklogBytes / perMessage + (3 * 65_535) / text.length + 20);
      expect(streams.budget.bytes, 'backlog given back').to.equal(0);
      await new Promise((r) => setTimeout(r, 100));
      expect(ends.map((e) => status[e.code])).to.deep.equal(['RESOURCE_EXHAUSTED']);
      stream.resume();
      const { error } = await ended;
      expect([error?.code, error?.details]).to.deep.equal([status.RESOURCE_EXHAUSTED, 'stream reader is not keeping up; reopen the stream']);
    } finally {
      await echo.stop();
    }
  });

  it('a revoked stream whose reader does not take its status is cut off after a grace period, with that status', async function () {
    this.timeout(10_000);
    const streams = new OpenStreams({ ...LIMITS, maxStreamBacklogBytes: 1024 * 1024 });
    const ends: RpcEnd[] = [];
    const echo = await liveEcho(streams, ends);
    try {
      const { stream, ended } = await subscribe(echo, bearer(token('jo', { sessionId: 's-9' })));
      stream.pause();
      // Enough to fill the flow-control windows: the status queues behind what the reader does not take.
      for (let i = 0; i < 40; i++) echo.publish('y'.repeat(8 * 1024));
      await new Promise((r) => setTimeout(r, 100));
      streams.endSession('s-9');
      await new Promise((r) => setTimeout(r, 500));
      expect(ends, 'still waiting for the reader').to.deep.equal([]);
      await new Promise((r) => setTimeout(r, 2000));
      expect(ends.map((e) => status[e.code])).to.deep.equal(['UNAUTHENTICATED']);
      stream.resume();
      expect((await ended).error?.metadata.get('auth-failure-reason')).to.deep.equal(['revoked']);
    } finally {
      await echo.stop();
    }
  });
});
