import { join } from 'node:path';
import { status } from '@grpc/grpc-js';
import Database from 'better-sqlite3';
import { expect } from 'chai';
import { createAuthClient, createNotesClient, Session, type NotesClient } from '@grpc-token-auth/sdk';
import { WatchNotesResponse_Kind, type WatchNotesResponse } from '../../gen/business/v1/notes_service.js';
import { bearer, collect, expectStatus, md } from '../support/grpc.js';
import { startSystem, type RunningSystem } from '../support/system.js';
import { authSigningKey, forgeToken } from '../support/tokens.js';
import { within } from '../support/eventually.js';

describe('business-svc NotesService (real processes)', () => {
  let sys: RunningSystem;
  let alice: Session;
  let bob: Session;
  let asAlice: NotesClient;
  let asBob: NotesClient;

  async function signUp(email: string): Promise<Session> {
    const auth = createAuthClient(sys.authAddress);
    const password = 'notes-test-passphrase';
    await auth.register({ email, password, displayName: email });
    auth.close();
    return Session.login({ auth: sys.authAddress, email, password });
  }

  before(async () => {
    sys = await startSystem();
    [alice, bob] = await Promise.all([signUp('alice@example.com'), signUp('bob@example.com')]);
    asAlice = createNotesClient(sys.businessAddress, { interceptors: [alice.interceptor] });
    asBob = createNotesClient(sys.businessAddress, { interceptors: [bob.interceptor] });
  });
  after(async () => {
    for (const c of [asAlice, asBob]) c?.close();
    for (const s of [alice, bob]) s?.close();
    await sys?.stop();
  });

  const create = (c: NotesClient, title: string, body = '') => c.createNote({ title, body }).then((r) => r.note!);

  it('creates, reads, updates and deletes a note', async () => {
    const note = await create(asAlice, '  Groceries  ', 'milk');
    expect(note).to.include({ title: 'Groceries', body: 'milk', version: 1 });
    expect(note.createTime).to.be.instanceOf(Date);
    expect((await asAlice.getNote({ id: note.id })).note).to.deep.equal(note);

    const updated = (await asAlice.updateNote({ id: note.id, body: 'milk, eggs' })).note!;
    expect(updated).to.include({ title: 'Groceries', body: 'milk, eggs', version: 2 });

    await asAlice.deleteNote({ id: note.id });
    await expectStatus(asAlice.getNote({ id: note.id }), status.NOT_FOUND);
    await expectStatus(asAlice.deleteNote({ id: note.id }), status.NOT_FOUND);
  });

  it('refuses an update at a stale version with ABORTED and changes nothing', async () => {
    const note = await create(asAlice, 'versioned');
    await asAlice.updateNote({ id: note.id, title: 'v2', expectedVersion: 1 });
    await expectStatus(asAlice.updateNote({ id: note.id, title: 'lost', expectedVersion: 1 }), status.ABORTED, /version 2/);
    expect((await asAlice.getNote({ id: note.id })).note!.title).to.equal('v2');
  });

  it("isolates users: another user's note is NOT_FOUND for every operation and never listed", async () => {
    const secret = await create(asAlice, "alice's secret", 'for alice only');
    await expectStatus(asBob.getNote({ id: secret.id }), status.NOT_FOUND);
    await expectStatus(asBob.updateNote({ id: secret.id, title: 'pwned' }), status.NOT_FOUND);
    await expectStatus(asBob.deleteNote({ id: secret.id }), status.NOT_FOUND);
    const bobs = await asBob.listNotes({ pageSize: 100, pageToken: '' });
    expect(bobs.notes.map((n) => n.id)).not.to.include(secret.id);
    // Alice's note is untouched.
    expect((await asAlice.getNote({ id: secret.id })).note).to.include({ title: "alice's secret", version: 1 });
  });

  it('pages through all notes newest first with page tokens, without gaps or repeats', async () => {
    const carol = await signUp('carol@example.com');
    const c = createNotesClient(sys.businessAddress, { interceptors: [carol.interceptor] });
    const titles = Array.from({ length: 23 }, (_, i) => `note ${i}`);
    for (const t of titles) await create(c, t);
    const seen: string[] = [];
    let pageToken = '';
    let pages = 0;
    do {
      const page = await c.listNotes({ pageSize: 10, pageToken });
      seen.push(...page.notes.map((n) => n.title));
      pageToken = page.nextPageToken;
      pages++;
    } while (pageToken !== '');
    expect(pages).to.equal(3);
    expect(seen).to.deep.equal([...titles].reverse());
    expect((await c.listNotes({ pageSize: 0, pageToken: '' })).notes).to.have.length(20);
    c.close();
    carol.close();
  });

  it('validates input with INVALID_ARGUMENT naming the field', async () => {
    await expectStatus(create(asAlice, '   '), status.INVALID_ARGUMENT, /^title: is required/);
    await expectStatus(create(asAlice, 't'.repeat(201)), status.INVALID_ARGUMENT, /^title: must be at most 200/);
    await expectStatus(create(asAlice, 'ok', 'b'.repeat(10_001)), status.INVALID_ARGUMENT, /^body: must be at most 10000/);
    await expectStatus(asAlice.getNote({ id: '' }), status.INVALID_ARGUMENT, /^id: is required/);
    await expectStatus(asAlice.getNote({ id: 'nope' }), status.INVALID_ARGUMENT, /^id: must be a UUID/);
    await expectStatus(asAlice.listNotes({ pageSize: 101, pageToken: '' }), status.INVALID_ARGUMENT, /^page_size/);
    await expectStatus(asAlice.listNotes({ pageSize: -1, pageToken: '' }), status.INVALID_ARGUMENT, /^page_size/);
    await expectStatus(asAlice.listNotes({ pageSize: 5, pageToken: 'garbage!' }), status.INVALID_ARGUMENT, /^page_token/);
    const note = await create(asAlice, 'keep me');
    await expectStatus(asAlice.updateNote({ id: note.id, title: '' }), status.INVALID_ARGUMENT, /^title/);
    expect((await asAlice.getNote({ id: note.id })).note!.title).to.equal('keep me');
  });

  describe('WatchNotes', () => {
    it('is rejected without a token, before any event is delivered', async () => {
      const anonymous = createNotesClient(sys.businessAddress);
      const events: WatchNotesResponse[] = [];
      const err = await expectStatus(collect(anonymous.watchNotes({}, { metadata: md() }), events), status.UNAUTHENTICATED);
      expect(err.code).to.equal(status.UNAUTHENTICATED);
      expect(events).to.have.length(0);
      anonymous.close();
    });

    /** Opens WatchNotes (optionally resuming) and collects what it delivers until cancelled. */
    async function watch(client: NotesClient, resumeToken?: string) {
      const stream = client.watchNotes({ resumeToken });
      const events: WatchNotesResponse[] = [];
      const reading = collect(stream, events).catch(() => undefined); // cancelled at the end
      await stream.headers;
      return { events, cancel: () => stream.cancel(), done: reading };
    }
    /** A WatchNotes that must be refused: its status, and no change delivered. */
    const refusal = async (client: NotesClient, resumeToken: string): Promise<{ code: number; details: string }> => {
      const events: WatchNotesResponse[] = [];
      const err = await collect(client.watchNotes({ resumeToken }), events).then(
        () => Promise.reject(new Error('a refused resume ended OK')),
        (e: { code: number; details: string }) => e,
      );
      expect(events, 'a refused resume delivered a change').to.have.length(0);
      return err;
    };

    it("delivers the caller's own changes, and only those, in order", async () => {
      const { events, cancel, done } = await watch(asAlice);

      const note = await create(asAlice, 'watched');
      await create(asBob, 'not for alice');
      await asAlice.updateNote({ id: note.id, title: 'watched v2' });
      await asAlice.deleteNote({ id: note.id });
      await within(5000, async () => events.length >= 3, 'three change events');
      cancel();
      await done;

      expect(events.map((e) => e.kind)).to.deep.equal([
        WatchNotesResponse_Kind.KIND_CREATED,
        WatchNotesResponse_Kind.KIND_UPDATED,
        WatchNotesResponse_Kind.KIND_DELETED,
      ]);
      expect(events.map((e) => e.note!.title)).to.deep.equal(['watched', 'watched v2', 'watched v2']);
    });

    it('resumes after a resume token: replays the changes after it, then live ones, none twice', async () => {
      const first = await watch(asAlice);
      const a = await create(asAlice, 'resume a');
      const b = await create(asAlice, 'resume b');
      await within(5000, async () => first.events.length >= 2, 'two changes');
      first.cancel();
      await asAlice.updateNote({ id: a.id, title: 'resume a v2' }); // while disconnected
      const resumed = await watch(asAlice, first.events[0]!.resumeToken);
      await asAlice.deleteNote({ id: b.id }); // live
      await within(5000, async () => resumed.events.length >= 3, 'replay and live change');
      await new Promise((r) => setTimeout(r, 100));
      resumed.cancel();
      expect(resumed.events.map((e) => [e.kind, e.note!.title])).to.deep.equal([
        [WatchNotesResponse_Kind.KIND_CREATED, 'resume b'],
        [WatchNotesResponse_Kind.KIND_UPDATED, 'resume a v2'],
        [WatchNotesResponse_Kind.KIND_DELETED, 'resume b'],
      ]);
      expect(resumed.events[0]!.resumeToken).to.equal(first.events[1]!.resumeToken);
    });

    it("ListNotes' watch token: every change after the listing is delivered", async () => {
      const listing = await asAlice.listNotes({ pageSize: 1, pageToken: '' });
      const made = await create(asAlice, 'after the listing');
      const stream = await watch(asAlice, listing.watchResumeToken);
      await within(5000, async () => stream.events.some((e) => e.note!.id === made.id), 'the change made before the stream opened');
      stream.cancel();
    });

    it("a resume token replays only the caller's own changes, whoever's stream it came from", async () => {
      const alices = await watch(asAlice);
      await create(asAlice, 'alice only');
      await within(5000, async () => alices.events.length >= 1, "alice's change");
      alices.cancel();
      await create(asBob, 'bob after');
      const bobs = await watch(asBob, alices.events[0]!.resumeToken);
      await within(5000, async () => bobs.events.length >= 1, "bob's change");
      bobs.cancel();
      expect(bobs.events.map((e) => e.note!.title)).to.deep.equal(['bob after']);
    });

    it('refuses resume tokens it cannot honour, before the stream opens, with a status that says why', async () => {
      const token = (logId: string, seq: number) => Buffer.from(JSON.stringify([logId, seq])).toString('base64url');
      const valid = (await asAlice.listNotes({ pageSize: 1, pageToken: '' })).watchResumeToken;
      const [logId, head] = JSON.parse(Buffer.from(valid, 'base64url').toString()) as [string, number];
      const cases: [string, number, RegExp][] = [
        ['garbage!', status.INVALID_ARGUMENT, /^resume_token: is not a token/],
        [token(logId, -1), status.INVALID_ARGUMENT, /^resume_token: is not a token/],
        [token(logId, head + 1000), status.INVALID_ARGUMENT, /^resume_token: is not a token/],
        [token('0123456789abcdef', 1), status.OUT_OF_RANGE, /another change log/],
      ];
      for (const [resumeToken, code, details] of cases) {
        const err = await refusal(asAlice, resumeToken);
        expect(status[err.code], resumeToken).to.equal(status[code]);
        expect(err.details).to.match(details);
      }
      // Changes after the token purged (as the retention period does): too old to resume.
      const db = new Database(join(sys.dataDir, 'business.db'));
      db.prepare('UPDATE note_change_log SET purged_through = ?').run(head);
      db.close();
      const err = await refusal(asAlice, token(logId, head - 1));
      expect(status[err.code]).to.equal('OUT_OF_RANGE');
      expect(err.details).to.match(/no longer kept; list the notes again/);
    });

    it('ends with UNAUTHENTICATED when the token it was opened with expires', async () => {
      const anonymous = createNotesClient(sys.businessAddress);
      const shortLived = forgeToken(alice.userId, { expiresInSeconds: 2, signWith: authSigningKey(sys.dataDir) });
      const started = Date.now();
      await expectStatus(collect(anonymous.watchNotes({}, { metadata: bearer(shortLived) })), status.UNAUTHENTICATED, /expired/);
      expect(Date.now() - started).to.be.within(500, 5000);
      anonymous.close();
    });
  });
});
