import { Metadata, status, type ServerInterceptor, type ServerWritableStream, type ServerUnaryCall, type sendUnaryData } from '@grpc/grpc-js';
import { expect } from 'chai';
import {
  ANY_USER,
  authenticationInterceptor,
  createAuthenticate,
  metadataLimitInterceptor,
  metricsObserver,
  observabilityInterceptor,
  principalOf,
  PUBLIC,
  publicStreamLimitInterceptor,
  requirePrincipal,
  rpcLogObserver,
  serverInterceptors,
  type Authenticate,
  type MethodMetrics,
  type RpcEnd,
  type RpcObserver,
} from '../dist/index.js';
import { metadataBytes } from '../dist/internal.js';
import { bearer, drain, failure, SAY, startEcho, token, verify, WATCH, type Echo, type RunningEcho } from './support/echo.js';

const POLICIES = { [SAY]: ANY_USER, [WATCH]: ANY_USER };
const authenticate = createAuthenticate(POLICIES, verify);

/** An observer that keeps every call's end (and what it saw at the start). */
function recorder(): RpcObserver & { ends: (RpcEnd & { method: string; authorization: unknown[] })[] } {
  const ends: (RpcEnd & { method: string; authorization: unknown[] })[] = [];
  return {
    ends,
    start: (call) => {
      const authorization = call.header('authorization');
      return (end) => ends.push({ ...end, method: call.method, authorization });
    },
  };
}

const echoes = {
  say: (call: ServerUnaryCall<Echo, Echo>, callback: sendUnaryData<Echo>) => {
    const who = principalOf(call)?.subject ?? 'anonymous';
    callback(null, { text: `${who}: ${call.request.text}; authorization=${call.metadata.get('authorization').length}` });
  },
  watch: (call: ServerWritableStream<Echo, Echo>) => {
    call.write({ text: call.request.text });
    // Open until the client cancels.
  },
};

describe('authenticationInterceptor alone', () => {
  let echo: RunningEcho;
  let runs = 0;
  before(async () => {
    echo = await startEcho([authenticationInterceptor(authenticate)], {
      ...echoes,
      say: (call: ServerUnaryCall<Echo, Echo>, callback: sendUnaryData<Echo>) => {
        runs++;
        echoes.say(call, callback);
      },
    });
  });
  after(() => echo.stop());

  it('refuses a call without a token before the handler, with the reason as a trailer', async () => {
    const err = await failure(echo.client.say('hi'));
    expect(err.code).to.equal(status.UNAUTHENTICATED);
    expect(err.metadata.get('auth-failure-reason')).to.deep.equal(['missing']);
    expect(runs).to.equal(0);
  });

  it('hands an accepted call its principal, without the authorization entry', async () => {
    const { reply } = await echo.client.say('hi', bearer(token('alice')));
    expect(reply.text).to.equal('alice: hi; authorization=0');
    expect(runs).to.equal(1);
  });

  it('denies a method missing from the policy table, whatever the token', async () => {
    const server = await startEcho([authenticationInterceptor(createAuthenticate({ [WATCH]: ANY_USER }, verify))], echoes);
    try {
      const err = await failure(server.client.say('hi', bearer(token())));
      expect(err.code).to.equal(status.PERMISSION_DENIED);
      expect(err.metadata.get('auth-failure-reason')).to.deep.equal(['no_policy']);
    } finally {
      await server.stop();
    }
  });

  it('answers INTERNAL when authenticate throws, and the server keeps serving', async () => {
    const crashing: Authenticate = () => {
      throw new Error('boom');
    };
    const server = await startEcho([authenticationInterceptor(crashing)], echoes);
    try {
      expect((await failure(server.client.say('hi', bearer(token())))).code).to.equal(status.INTERNAL);
      expect((await failure(server.client.say('again', bearer(token())))).details).to.equal('authentication failed');
    } finally {
      await server.stop();
    }
  });
});

describe('composition, as behaviour', () => {
  it('an observer placed after authentication does not see calls it refused; placed first it does, with the reason', async () => {
    const first = recorder();
    const after = recorder();
    const echo = await startEcho([observabilityInterceptor(first), authenticationInterceptor(authenticate), observabilityInterceptor(after)], echoes);
    try {
      await failure(echo.client.say('no token'));
      await echo.client.say('with token', bearer(token('bob')));
      expect(after.ends.map((e) => status[e.code])).to.deep.equal(['OK']);
      expect(first.ends.map((e) => [status[e.code], e.refusal?.reason, e.principal?.subject])).to.deep.equal([
        ['UNAUTHENTICATED', 'missing', undefined],
        ['OK', undefined, 'bob'],
      ]);
      expect(first.ends.every((e) => e.authorization.length === 0), 'observers never read the token').to.equal(true);
    } finally {
      await echo.stop();
    }
  });

  it('the metadata limit refuses before authentication runs', async () => {
    let authenticated = 0;
    const counting: Authenticate = (method, authorization) => (authenticated++, authenticate(method, authorization));
    const echo = await startEcho([metadataLimitInterceptor(1024), authenticationInterceptor(counting)], echoes);
    try {
      const err = await failure(echo.client.say('hi', bearer(token(), { 'x-pad': 'p'.repeat(2000) })));
      expect(err.code).to.equal(status.RESOURCE_EXHAUSTED);
      expect(err.details).to.equal('request metadata exceeds 1024 bytes');
      expect(authenticated).to.equal(0);
      await echo.client.say('hi', bearer(token()));
      expect(authenticated).to.equal(1);
    } finally {
      await echo.stop();
    }
  });

  it('serverInterceptors: every concern in order, and the log observer writes one line per refused call, never the token', async () => {
    const lines: { fields: Record<string, unknown>; message: string | undefined }[] = [];
    const log = {
      info: (fields: object, message?: string) => lines.push({ fields: fields as Record<string, unknown>, message }),
      warn: () => undefined,
      error: () => undefined,
      isLevelEnabled: () => true,
    };
    const finished: string[] = [];
    const metrics = { forMethod: (m: string): MethodMetrics => ({ finished: (code) => finished.push(`${m} ${status[code]}`) }), rejected: (r: string) => finished.push(`rejected ${r}`) };
    const echo = await startEcho(serverInterceptors({ authentication: authenticationInterceptor(authenticate), observers: [metricsObserver(metrics), rpcLogObserver({ log })] }), echoes);
    try {
      const bad = `${token('carol')}x`;
      await failure(echo.client.say('hi', bearer(bad)));
      await echo.client.say('hi', bearer(token('carol')));
      expect(finished).to.deep.equal(['rejected invalid_signature', `${SAY} UNAUTHENTICATED`, `${SAY} OK`]);
      expect(lines.map((l) => [l.message, l.fields.code, l.fields.reason])).to.deep.equal([['rpc refused', 'UNAUTHENTICATED', 'invalid_signature']]);
      expect(JSON.stringify(lines)).not.to.include(bad.split('.')[1]!);
    } finally {
      await echo.stop();
    }
  });
});

describe('serverInterceptors: one layer, the same behaviour', () => {
  it("folds the kit's interceptors into one, and keeps a foreign authentication interceptor in its place", async () => {
    const kitAuth = authenticationInterceptor(authenticate);
    expect(serverInterceptors({ authentication: kitAuth, observers: [recorder()] })).to.have.length(1);
    // Someone else's authentication: a layer of its own between the kit's layers, refusals still observed.
    const foreign: ServerInterceptor = (descriptor, call) => {
      const wrapped = kitAuth(descriptor, call);
      return wrapped;
    };
    const seen = recorder();
    const chain = serverInterceptors({ authentication: foreign, observers: [seen] });
    expect(chain).to.have.length(3);
    const echo = await startEcho(chain, echoes);
    try {
      await failure(echo.client.say('no token'));
      expect((await echo.client.say('hi', bearer(token('kim')))).reply.text).to.equal('kim: hi; authorization=0');
      expect(seen.ends.map((e) => [status[e.code], e.refusal?.reason])).to.deep.equal([
        ['UNAUTHENTICATED', 'missing'],
        ['OK', undefined],
      ]);
    } finally {
      await echo.stop();
    }
  });
});

describe('publicStreamLimitInterceptor alone', () => {
  it('caps streams without a verified caller per address, frees the slot when one ends, and does not count authenticated streams', async () => {
    const echo = await startEcho(
      [authenticationInterceptor(createAuthenticate({ [SAY]: PUBLIC, [WATCH]: PUBLIC }, verify)), publicStreamLimitInterceptor({ maxStreams: 10, maxStreamsPerAddress: 2 })],
      echoes,
    );
    const open = () => {
      const stream = echo.client.watch('x');
      const first = new Promise<void>((resolve, reject) => (stream.once('data', () => resolve()), stream.once('error', reject)));
      return { stream, first };
    };
    try {
      const a = open();
      const b = open();
      await Promise.all([a.first, b.first]);
      const third = await drain(echo.client.watch('x'));
      expect(third.error?.code).to.equal(status.RESOURCE_EXHAUSTED);
      expect(third.error?.details).to.equal('too many unauthenticated streams from this address');
      a.stream.cancel();
      await new Promise((r) => setTimeout(r, 100));
      const again = open();
      await again.first;
      // Unary calls pass through untouched.
      await echo.client.say('still fine');
      b.stream.cancel();
      again.stream.cancel();
    } finally {
      await echo.stop();
    }
  });
});

describe('observabilityInterceptor: calls grpc-js ends without an interceptor seeing a status', () => {
  it('reports DEADLINE_EXCEEDED once the deadline passed, CANCELLED when the client went away', async () => {
    const seen = recorder();
    const echo = await startEcho([observabilityInterceptor(seen)], {
      say: () => undefined, // never answers
      watch: echoes.watch,
    });
    try {
      expect((await failure(echo.client.say('slow', new Metadata(), Date.now() + 100))).code).to.equal(status.DEADLINE_EXCEEDED);
      const stream = echo.client.watch('x');
      await new Promise((resolve) => stream.once('data', resolve));
      stream.on('error', () => undefined);
      stream.cancel();
      await new Promise((r) => setTimeout(r, 200));
      expect(seen.ends.map((e) => [e.method, status[e.code]])).to.deep.equal([
        [SAY, 'DEADLINE_EXCEEDED'],
        [WATCH, 'CANCELLED'],
      ]);
    } finally {
      await echo.stop();
    }
  });
});

describe('requirePrincipal', () => {
  it('fails closed (INTERNAL) on a server without the authentication interceptor', async () => {
    const echo = await startEcho([], {
      ...echoes,
      say: (call: ServerUnaryCall<Echo, Echo>, callback: sendUnaryData<Echo>) => {
        try {
          callback(null, { text: requirePrincipal(call).subject });
        } catch (err) {
          callback(err as Error);
        }
      },
    });
    try {
      expect((await failure(echo.client.say('hi', bearer(token())))).code).to.equal(status.INTERNAL);
    } finally {
      await echo.stop();
    }
  });
});

describe('metadataBytes', () => {
  it('counts every value of every key, as HPACK does (name + value + 32)', () => {
    const metadata = new Metadata();
    metadata.add('x-a', 'one');
    metadata.add('x-a', 'three');
    metadata.add('x-b-bin', Buffer.alloc(10));
    expect(metadataBytes(metadata)).to.equal(3 + 3 + 32 + (3 + 5 + 32) + (7 + 10 + 32));
  });
});
