import { Server, ServerCredentials, status, type sendUnaryData, type ServerUnaryCall } from '@grpc/grpc-js';
import { expect } from 'chai';
import { createClient, createNotesClient } from '@grpc-token-auth/sdk';
import { NotesServiceDefinition, NotesServiceService, type NotesServiceServer } from '@grpc-token-auth/sdk/gen/business/v1/notes_service.js';
import { expectStatus } from './support.js';

/**
 * Over the wire, in one process: a replica that answers UNAVAILABLE once (as one that is
 * shutting down does) gets a second attempt only for methods the contract marks.
 */
describe('SDK clients retry what the contract marks idempotent, and nothing else (in-process server)', () => {
  let server: Server;
  let address: string;
  /** Attempts per method; every method fails its first attempt with UNAVAILABLE. */
  const attempts = new Map<string, number>();

  before(async () => {
    server = new Server();
    server.addService(NotesServiceService, flakyHandlers(attempts));
    const port = await new Promise<number>((resolve, reject) =>
      server.bindAsync('127.0.0.1:0', ServerCredentials.createInsecure(), (err, p) => (err ? reject(err) : resolve(p))),
    );
    address = `127.0.0.1:${port}`;
  });
  beforeEach(() => attempts.clear());
  after(() => server?.forceShutdown());

  it('GetNote and ListNotes (NO_SIDE_EFFECTS) succeed on the second attempt', async () => {
    const notes = createNotesClient(address);
    try {
      expect((await notes.getNote({ id: 'n1' })).note?.id).to.equal('n1');
      await notes.listNotes({});
      expect(attempts.get('getNote')).to.equal(2);
      expect(attempts.get('listNotes')).to.equal(2);
    } finally {
      notes.close();
    }
  });

  it('CreateNote, UpdateNote and DeleteNote (unmarked) fail with the UNAVAILABLE of their only attempt', async () => {
    const notes = createNotesClient(address);
    try {
      await expectStatus(notes.createNote({ title: 't' }), status.UNAVAILABLE);
      await expectStatus(notes.updateNote({ id: 'n1', title: 't' }), status.UNAVAILABLE);
      await expectStatus(notes.deleteNote({ id: 'n1' }), status.UNAVAILABLE);
      expect(Object.fromEntries(attempts)).to.deep.equal({ createNote: 1, updateNote: 1, deleteNote: 1 });
    } finally {
      notes.close();
    }
  });

  it("follows the definition it is given: a contract that marks UpdateNote IDEMPOTENT gets it retried", async () => {
    const { updateNote } = NotesServiceDefinition.methods;
    const marked = { ...NotesServiceDefinition, methods: { ...NotesServiceDefinition.methods, updateNote: { ...updateNote, options: { idempotencyLevel: 'IDEMPOTENT' } } } };
    const notes = createClient(marked, address);
    try {
      expect((await notes.updateNote({ id: 'n1', title: 't' })).note?.id).to.equal('n1');
      expect(attempts.get('updateNote')).to.equal(2);
    } finally {
      notes.close();
    }
  });
});

function flakyHandlers(attempts: Map<string, number>): NotesServiceServer {
  const note = (id: string) => ({ id, title: 't', body: '', version: 1, createTime: undefined, updateTime: undefined });
  /** UNAVAILABLE (no response headers, so grpc-js may retry) on a method's first attempt, then `answer`. */
  const flaky =
    <Req, Res>(method: string, answer: (req: Req) => Res) =>
    (call: ServerUnaryCall<Req, Res>, callback: sendUnaryData<Res>) => {
      const n = (attempts.get(method) ?? 0) + 1;
      attempts.set(method, n);
      if (n === 1) callback({ code: status.UNAVAILABLE, details: 'replica going away' });
      else callback(null, answer(call.request));
    };
  return {
    getNote: flaky('getNote', (req: { id: string }) => ({ note: note(req.id) })),
    listNotes: flaky('listNotes', () => ({ notes: [], nextPageToken: '', watchResumeToken: '' })),
    createNote: flaky('createNote', () => ({ note: note('new') })),
    updateNote: flaky('updateNote', (req: { id: string }) => ({ note: note(req.id) })),
    deleteNote: flaky('deleteNote', () => ({})),
    watchNotes: (call) => call.end(),
  };
}
