import { Metadata, Server, ServerCredentials, status, type sendUnaryData, type ServerUnaryCall, type ServerWritableStream } from '@grpc/grpc-js';
import { bearerInterceptor, ClientError, createNotesClient, type NotesClient } from '@grpc-token-auth/sdk';
import { expect } from 'chai';
import { NotesServiceService, type NotesServiceServer } from '@grpc-token-auth/sdk/gen/business/v1/notes_service.js';
import { collect, expectStatus, within } from './support.js';

/**
 * The SDK's generic promise clients against a bare in-process grpc-js server (no
 * authentication): one test group per call type, as the client sees them.
 */
describe('SDK promise clients (in-process server)', () => {
  let server: Server;
  let address: string;
  let notes: NotesClient;
  const seen = { unary: 0, cancelled: 0, authorization: [] as string[] };

  before(async () => {
    server = new Server();
    server.addService(NotesServiceService, handlers(seen));
    const port = await new Promise<number>((resolve, reject) =>
      server.bindAsync('127.0.0.1:0', ServerCredentials.createInsecure(), (err, p) => (err ? reject(err) : resolve(p))),
    );
    address = `127.0.0.1:${port}`;
    notes = createNotesClient(address);
  });
  after(() => {
    notes?.close();
    server?.forceShutdown();
  });

  describe('unary', () => {
    it('fills in proto3 defaults for a partial request and resolves with the typed response', async () => {
      const res = await notes.listNotes({});
      expect(JSON.parse(res.nextPageToken)).to.deep.equal({ pageSize: 0, pageToken: '' });
      expect((await notes.listNotes({ pageSize: 7 })).nextPageToken).to.include('"pageSize":7');
    });

    it('rejects with one ClientError: code, details, trailers and method', async () => {
      const err = await expectStatus(notes.getNote({ id: 'missing' }), status.NOT_FOUND, /^note not found$/);
      expect(err).to.be.instanceOf(ClientError);
      expect((err as ClientError).method).to.equal('/business.v1.NotesService/GetNote');
      expect(err.metadata.get('x-why')).to.deep.equal(['gone']);
      expect(err.message).to.equal('NOT_FOUND: note not found');
    });

    it('applies timeoutMs and an AbortSignal, cancelling the call on the server', async () => {
      await expectStatus(notes.getNote({ id: 'hang' }, { timeoutMs: 100 }), status.DEADLINE_EXCEEDED);
      const [cancelledBefore, reachedBefore] = [seen.cancelled, seen.unary];
      const controller = new AbortController();
      const call = notes.getNote({ id: 'hang' }, { signal: controller.signal });
      await within(1000, async () => seen.unary > reachedBefore, 'the call reached the server');
      controller.abort();
      await expectStatus(call, status.CANCELLED);
      await within(1000, async () => seen.cancelled > cancelledBefore, 'the server saw the cancellation');
    });

    it('does not start a call whose signal is already aborted', async () => {
      const before = seen.unary;
      await expectStatus(notes.getNote({ id: 'hang' }, { signal: AbortSignal.abort() }), status.CANCELLED, /before the call started/);
      expect(seen.unary).to.equal(before);
    });
  });

  describe('server streaming', () => {
    it('is an AsyncIterable of typed messages that ends when the server ends the call', async () => {
      const messages = await collect(notes.watchNotes({}, { metadata: mode('count:200') }));
      expect(messages.map((m) => m.note!.version)).to.deep.equal(Array.from({ length: 200 }, (_, i) => i));
    });

    it('throws the ClientError that ended the stream, after the messages sent before it', async () => {
      const got: unknown[] = [];
      await expectStatus(collect(notes.watchNotes({}, { metadata: mode('fail-after:3') }), got), status.RESOURCE_EXHAUSTED, /slow reader/);
      expect(got).to.have.length(3);
    });

    it('cancels the call on the server when the reader leaves the loop early, or on abort', async () => {
      let cancelledBefore = seen.cancelled;
      for await (const change of notes.watchNotes({}, { metadata: mode('endless') })) if (change.note!.version === 2) break;
      await within(1000, async () => seen.cancelled > cancelledBefore, 'leaving the loop cancelled the call');

      cancelledBefore = seen.cancelled;
      const controller = new AbortController();
      const stream = notes.watchNotes({}, { metadata: mode('endless'), signal: controller.signal });
      await stream.headers;
      setTimeout(() => controller.abort(), 50);
      await expectStatus(collect(stream), status.CANCELLED);
      await within(1000, async () => seen.cancelled > cancelledBefore, 'abort cancelled the call');
    });

    it('keeps up with a reader slower than the server, losing nothing (the network read pauses)', async () => {
      let n = 0;
      for await (const change of notes.watchNotes({}, { metadata: mode('count:300') })) {
        expect(change.note!.version).to.equal(n++);
        if (n % 50 === 0) await new Promise((r) => setTimeout(r, 20));
      }
      expect(n).to.equal(300);
    });
  });

  describe('bearer interceptor', () => {
    it('fails the call locally (nothing sent) when no token can be had', async () => {
      const client = createNotesClient(address, { interceptors: [bearerInterceptor(() => Promise.reject(new Error('no session')))] });
      const before = seen.unary;
      await expectStatus(client.listNotes({}), status.UNAUTHENTICATED, /could not obtain an access token: no session/);
      expect(seen.unary).to.equal(before);
      client.close();
    });

    it("keeps the caller's deadline while a token is awaited, then sends it when it comes", async () => {
      let release!: (token: string) => void;
      const token = new Promise<string>((resolve) => (release = resolve));
      const client = createNotesClient(address, { interceptors: [bearerInterceptor(() => token)] });
      const started = Date.now();
      await expectStatus(client.listNotes({}, { timeoutMs: 150 }), status.DEADLINE_EXCEEDED, /waiting for an access token/);
      expect(Date.now() - started).to.be.below(1000);
      setTimeout(() => release('header.payload.signature'), 20);
      await client.listNotes({});
      expect(seen.authorization.at(-1)).to.equal('Bearer header.payload.signature');
      client.close();
    });
  });
});

function mode(value: string): Metadata {
  const md = new Metadata();
  md.set('mode', value);
  return md;
}

function handlers(seen: { unary: number; cancelled: number; authorization: string[] }): NotesServiceServer {
  const unimplemented = (_call: unknown, callback: sendUnaryData<never>) => callback({ code: status.UNIMPLEMENTED });
  return {
    createNote: unimplemented,
    updateNote: unimplemented,
    deleteNote: unimplemented,
    listNotes: (call, callback) => {
      seen.authorization.push(String(call.metadata.get('authorization')[0] ?? ''));
      callback(null, { notes: [], nextPageToken: JSON.stringify(call.request), watchResumeToken: '' });
    },
    getNote: (call: ServerUnaryCall<{ id: string }, never>, callback) => {
      seen.unary++;
      if (call.request.id === 'missing') {
        const trailers = new Metadata();
        trailers.set('x-why', 'gone');
        callback({ code: status.NOT_FOUND, details: 'note not found', metadata: trailers });
      } else call.on('cancelled', () => seen.cancelled++); // 'hang': never answers
    },
    watchNotes: (call: ServerWritableStream<unknown, unknown>) => {
      const [kind, arg] = String(call.metadata.get('mode')[0]).split(':');
      const change = (version: number) => ({ kind: 1, note: { id: 'n', title: 't', body: '', version, createTime: undefined, updateTime: undefined } });
      call.on('cancelled', () => seen.cancelled++);
      if (kind === 'count') {
        for (let i = 0; i < Number(arg); i++) call.write(change(i));
        call.end();
      } else if (kind === 'fail-after') {
        for (let i = 0; i < Number(arg); i++) call.write(change(i));
        call.emit('error', { code: status.RESOURCE_EXHAUSTED, details: 'slow reader' });
      } else {
        let i = 0;
        const timer = setInterval(() => call.write(change(i++)), 5);
        call.on('cancelled', () => clearInterval(timer));
      }
    },
  };
}
