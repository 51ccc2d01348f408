import { Client, credentials, Metadata, Server, ServerCredentials, status, type ServerUnaryCall, type sendUnaryData, type ServiceDefinition } from '@grpc/grpc-js';
import { context, propagation, SpanKind, SpanStatusCode, trace } from '@opentelemetry/api';
import { AsyncLocalStorageContextManager } from '@opentelemetry/context-async-hooks';
import { W3CTraceContextPropagator } from '@opentelemetry/core';
import { InMemorySpanExporter, SimpleSpanProcessor, TracerProvider } from '@opentelemetry/sdk-trace';
import { expect } from 'chai';
import { tracingInterceptor } from '@grpc-token-auth/sdk/tracing';
import { expectStatus } from './support.js';

const json = {
  serialize: (value: unknown) => Buffer.from(JSON.stringify(value)),
  deserialize: (bytes: Buffer) => JSON.parse(bytes.toString()) as { text: string },
};
const SAY = '/test.Echo/Say';
const ECHO: ServiceDefinition = {
  say: { path: SAY, requestStream: false, responseStream: false, requestSerialize: json.serialize, requestDeserialize: json.deserialize, responseSerialize: json.serialize, responseDeserialize: json.deserialize },
};

describe('tracingInterceptor (@grpc-token-auth/sdk/tracing)', () => {
  let server: Server;
  let client: Client;
  const received: Metadata[] = [];

  before(async () => {
    server = new Server();
    server.addService(ECHO, {
      say: (call: ServerUnaryCall<{ text: string }, { text: string }>, callback: sendUnaryData<{ text: string }>) => {
        received.push(call.metadata);
        if (call.request.text === 'fail') callback({ code: status.NOT_FOUND, details: 'nothing here' });
        else callback(null, { text: call.request.text });
      },
    });
    const port = await new Promise<number>((resolve, reject) =>
      server.bindAsync('127.0.0.1:0', ServerCredentials.createInsecure(), (err, bound) => (err ? reject(err) : resolve(bound))),
    );
    client = new Client(`127.0.0.1:${port}`, credentials.createInsecure(), { interceptors: [tracingInterceptor()] });
  });
  after(() => {
    client.close();
    server.forceShutdown();
  });

  const say = (text: string) =>
    new Promise<{ text: string }>((resolve, reject) => client.makeUnaryRequest(SAY, json.serialize, json.deserialize, { text }, new Metadata(), (err, reply) => (err ? reject(err) : resolve(reply!))));

  it('without a tracer provider registered: the call goes through and carries no trace context', async () => {
    expect(await say('hi')).to.deep.equal({ text: 'hi' });
    expect(received.at(-1)!.get('traceparent')).to.deep.equal([]);
  });

  describe('with a provider', () => {
    const exporter = new InMemorySpanExporter();
    const provider = new TracerProvider({ spanProcessors: [new SimpleSpanProcessor({ exporter })] });
    before(() => {
      context.setGlobalContextManager(new AsyncLocalStorageContextManager().enable());
      propagation.setGlobalPropagator(new W3CTraceContextPropagator());
      trace.setGlobalTracerProvider(provider);
    });
    after(async () => {
      await provider.shutdown();
      trace.disable();
      propagation.disable();
      context.disable();
    });

    it('a CLIENT span per call, a child of the active span, its context sent as traceparent', async () => {
      const tracer = trace.getTracer('test');
      const parent = tracer.startSpan('caller');
      await context.with(trace.setSpan(context.active(), parent), () => say('hi'));
      parent.end();
      const span = exporter.getFinishedSpans().find((s) => s.kind === SpanKind.CLIENT)!;
      expect(span.name).to.equal('test.Echo/Say');
      expect(span.parentSpanContext?.spanId).to.equal(parent.spanContext().spanId);
      expect(span.attributes).to.include({ 'rpc.system': 'grpc', 'rpc.service': 'test.Echo', 'rpc.method': 'Say', 'rpc.grpc.status_code': status.OK });
      const { traceId, spanId } = span.spanContext();
      expect(received.at(-1)!.get('traceparent')).to.deep.equal([`00-${traceId}-${spanId}-01`]);
    });

    it('any status but OK makes the client span an error', async () => {
      exporter.reset();
      await expectStatus(say('fail'), status.NOT_FOUND);
      const [span] = exporter.getFinishedSpans();
      expect(span!.status).to.deep.equal({ code: SpanStatusCode.ERROR, message: 'nothing here' });
      expect(span!.attributes['rpc.grpc.status_code']).to.equal(status.NOT_FOUND);
    });
  });
});
