import { randomBytes } from 'node:crypto';
import { Client, credentials, Metadata, status, type ServerUnaryCall, type ServerWritableStream, type sendUnaryData } from '@grpc/grpc-js';
import { context, propagation, SpanKind, SpanStatusCode, trace } from '@opentelemetry/api';
import { AsyncLocalStorageContextManager } from '@opentelemetry/context-async-hooks';
import { CompositePropagator, W3CBaggagePropagator, W3CTraceContextPropagator } from '@opentelemetry/core';
import { InMemorySpanExporter, SimpleSpanProcessor, TracerProvider } from '@opentelemetry/sdk-trace';
import { ATTR_NETWORK_PEER_ADDRESS, ATTR_NETWORK_PEER_PORT } from '@opentelemetry/semantic-conventions';
import { ATTR_RPC_GRPC_STATUS_CODE, ATTR_RPC_METHOD, ATTR_RPC_SERVICE, ATTR_RPC_SYSTEM } from '@opentelemetry/semantic-conventions/incubating';
import { tracingInterceptor, RPC_ATTRIBUTES } from '@grpc-token-auth/sdk/tracing';
import { expect } from 'chai';
import { ANY_USER, authenticationInterceptor, createAuthenticate, observabilityInterceptor, serverInterceptors, userWithRole } from '../dist/index.js';
import { AUTH_FAILURE_ATTRIBUTE, PRINCIPAL_KIND_ATTRIBUTE, tracingObserver } from '../dist/tracing.js';
import { bearer, drain, failure, SAY, startEcho, token, verify, WATCH, type Echo, type RunningEcho } from './support/echo.js';

const json = {
  serialize: (value: unknown) => Buffer.from(JSON.stringify(value)),
  deserialize: (bytes: Buffer) => JSON.parse(bytes.toString()) as Echo,
};

/** A client of the echo service whose calls carry `interceptors` (here: the SDK's tracingInterceptor). */
function tracedSay(address: string, text: string, metadata = new Metadata()): Promise<Echo> {
  const client = new Client(address, credentials.createInsecure(), { interceptors: [tracingInterceptor()] });
  return new Promise<Echo>((resolve, reject) =>
    client.makeUnaryRequest(SAY, json.serialize, json.deserialize, { text }, metadata, (err, reply) => (client.close(), err ? reject(err) : resolve(reply!))),
  );
}

function traceparent(traceId: string, spanId: string): Metadata {
  const md = new Metadata();
  md.set('traceparent', `00-${traceId}-${spanId}-01`);
  return md;
}

const hex = (bytes: number) => randomBytes(bytes).toString('hex');

describe('tracing: tracingObserver (server spans) and the SDK tracingInterceptor (client spans), in one process', () => {
  const exporter = new InMemorySpanExporter();
  const provider = new TracerProvider({ spanProcessors: [new SimpleSpanProcessor({ exporter })] });
  let downstream: RunningEcho;
  let front: RunningEcho;
  const seenInHandler: { baggage?: string | undefined; spanId?: string | undefined; streamSpanId?: string | undefined } = {};

  before(async () => {
    context.setGlobalContextManager(new AsyncLocalStorageContextManager().enable());
    propagation.setGlobalPropagator(new CompositePropagator({ propagators: [new W3CTraceContextPropagator(), new W3CBaggagePropagator()] }));
    trace.setGlobalTracerProvider(provider);
    // The second hop: observability alone, no authentication.
    downstream = await startEcho([observabilityInterceptor(tracingObserver())], {
      say: (call: ServerUnaryCall<Echo, Echo>, callback: sendUnaryData<Echo>) => callback(null, { text: `downstream: ${call.request.text}` }),
      watch: () => undefined,
    });
    // The first hop: every kit concern in one layer; its handler calls the second hop.
    const authenticate = createAuthenticate({ [SAY]: ANY_USER, [WATCH]: ANY_USER, '/test.Echo/Admin': userWithRole('admin') }, verify);
    front = await startEcho(serverInterceptors({ authentication: authenticationInterceptor(authenticate), observers: [tracingObserver()] }), {
      say: (call: ServerUnaryCall<Echo, Echo>, callback: sendUnaryData<Echo>) => {
        seenInHandler.baggage = propagation.getBaggage(context.active())?.getEntry('tenant')?.value;
        seenInHandler.spanId = trace.getActiveSpan()?.spanContext().spanId;
        if (call.request.text === 'fail') return callback({ code: status.INTERNAL, details: 'it broke' });
        if (call.request.text === 'missing') return callback({ code: status.NOT_FOUND, details: 'no such thing' });
        // After an await, still inside the call's span: the downstream call is its child.
        void Promise.resolve()
          .then(() => tracedSay(downstream.address, call.request.text))
          .then((reply) => callback(null, reply), (err: Error) => callback(err));
      },
      watch: (call: ServerWritableStream<Echo, Echo>) => {
        seenInHandler.streamSpanId = trace.getActiveSpan()?.spanContext().spanId;
        call.write({ text: call.request.text });
        call.end();
      },
    });
  });

  after(async () => {
    await front.stop();
    await downstream.stop();
    await provider.shutdown();
    trace.disable();
    propagation.disable();
    context.disable();
  });

  beforeEach(() => exporter.reset());

  const spans = () => exporter.getFinishedSpans();

  it('continues the caller\'s traceparent on the first hop, and the handler\'s outgoing call is a client span whose server span is its child', async () => {
    const traceId = hex(16);
    const callerSpanId = hex(8);
    const md = traceparent(traceId, callerSpanId);
    md.set('authorization', `Bearer ${token('alice')}`);
    md.set('baggage', 'tenant=blue');
    const reply = await tracedSayPlain(front.address, 'hello', md);
    expect(reply.text).to.equal('downstream: hello');
    const all = spans();
    expect(all.map((s) => s.name)).to.have.members(['test.Echo/Say', 'test.Echo/Say', 'test.Echo/Say']);
    const first = all.find((s) => s.kind === SpanKind.SERVER && s.parentSpanContext?.spanId === callerSpanId)!;
    expect(first, 'first hop server span').to.not.equal(undefined);
    const client = all.find((s) => s.kind === SpanKind.CLIENT)!;
    const second = all.find((s) => s.kind === SpanKind.SERVER && s !== first)!;
    expect([first, client, second].map((s) => s.spanContext().traceId)).to.deep.equal([traceId, traceId, traceId]);
    expect(client.parentSpanContext?.spanId).to.equal(first.spanContext().spanId);
    expect(second.parentSpanContext?.spanId).to.equal(client.spanContext().spanId);
    expect(seenInHandler.spanId, 'the handler runs inside the server span').to.equal(first.spanContext().spanId);
    expect(seenInHandler.baggage, 'baggage reaches the handler').to.equal('blue');
    expect(first.attributes).to.include({
      [ATTR_RPC_SYSTEM]: 'grpc',
      [ATTR_RPC_SERVICE]: 'test.Echo',
      [ATTR_RPC_METHOD]: 'Say',
      [ATTR_RPC_GRPC_STATUS_CODE]: status.OK,
      [ATTR_NETWORK_PEER_ADDRESS]: '127.0.0.1',
      [PRINCIPAL_KIND_ATTRIBUTE]: 'user',
    });
    expect(first.attributes[ATTR_NETWORK_PEER_PORT]).to.be.a('number');
    expect(client.attributes).to.include({ [ATTR_RPC_SYSTEM]: 'grpc', [ATTR_RPC_SERVICE]: 'test.Echo', [ATTR_RPC_METHOD]: 'Say', [ATTR_RPC_GRPC_STATUS_CODE]: status.OK });
    expect(first.status.code).to.equal(SpanStatusCode.UNSET);
  });

  it('records a call authentication refuses as an error span naming the reason, with no token anywhere in it', async () => {
    const forged = token('mallory').slice(0, -4) + 'AAAA';
    const err = await failure(front.client.say('hi', bearer(forged)));
    expect(err.code).to.equal(status.UNAUTHENTICATED);
    const [span] = spans();
    expect(spans()).to.have.length(1);
    expect(span!.kind).to.equal(SpanKind.SERVER);
    expect(span!.status.code).to.equal(SpanStatusCode.ERROR);
    expect(span!.status.message).to.equal('refused: invalid_signature');
    expect(span!.attributes[AUTH_FAILURE_ATTRIBUTE]).to.equal('invalid_signature');
    expect(span!.attributes[ATTR_RPC_GRPC_STATUS_CODE]).to.equal(status.UNAUTHENTICATED);
    const everything = JSON.stringify({ attributes: span!.attributes, events: span!.events, status: span!.status, name: span!.name });
    expect(everything).to.not.include(forged.split('.')[1]!);
    expect(everything).to.not.include('Bearer');
  });

  it('refused without a token: an error span with the reason `missing`', async () => {
    await failure(front.client.say('hi'));
    expect(spans()).to.have.length(1);
    expect(spans()[0]!.status.code).to.equal(SpanStatusCode.ERROR);
    expect(spans()[0]!.attributes[AUTH_FAILURE_ATTRIBUTE]).to.equal('missing');
  });

  it('sets ERROR for the server-side codes the conventions name (INTERNAL) and leaves the caller\'s own (NOT_FOUND) unset', async () => {
    await failure(front.client.say('fail', bearer(token('alice'))));
    await failure(front.client.say('missing', bearer(token('alice'))));
    const [failed, missing] = spans();
    expect(failed!.status).to.deep.include({ code: SpanStatusCode.ERROR, message: 'it broke' });
    expect(failed!.attributes[ATTR_RPC_GRPC_STATUS_CODE]).to.equal(status.INTERNAL);
    expect(missing!.status.code).to.equal(SpanStatusCode.UNSET);
    expect(missing!.attributes[ATTR_RPC_GRPC_STATUS_CODE]).to.equal(status.NOT_FOUND);
  });

  it('runs a server stream\'s handler inside its span too', async () => {
    const { messages } = await drain(front.client.watch('tick', bearer(token('alice'))));
    expect(messages).to.deep.equal([{ text: 'tick' }]);
    const [span] = spans();
    expect(span!.name).to.equal('test.Echo/Watch');
    expect(seenInHandler.streamSpanId).to.equal(span!.spanContext().spanId);
  });

  it('starts a new trace when the caller sent none, and ignores a malformed traceparent', async () => {
    const md = bearer(token('alice'));
    md.set('traceparent', 'not-a-traceparent');
    await tracedSayPlain(front.address, 'x', md);
    const first = spans().find((s) => s.kind === SpanKind.SERVER && s.parentSpanContext === undefined);
    expect(first, 'a root server span').to.not.equal(undefined);
  });

  it('uses the semantic conventions\' attribute names', () => {
    expect(RPC_ATTRIBUTES).to.deep.equal({
      system: ATTR_RPC_SYSTEM,
      service: ATTR_RPC_SERVICE,
      method: ATTR_RPC_METHOD,
      statusCode: ATTR_RPC_GRPC_STATUS_CODE,
      peerAddress: ATTR_NETWORK_PEER_ADDRESS,
      peerPort: ATTR_NETWORK_PEER_PORT,
    });
  });
});

/** A call without a client span of its own: what a caller outside any trace (or another process) sends. */
function tracedSayPlain(address: string, text: string, metadata: Metadata): Promise<Echo> {
  const client = new Client(address, credentials.createInsecure());
  return new Promise<Echo>((resolve, reject) =>
    client.makeUnaryRequest(SAY, json.serialize, json.deserialize, { text }, metadata, (err, reply) => (client.close(), err ? reject(err) : resolve(reply!))),
  );
}

