import { expect } from 'chai';
import { randomUUID } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { openNoteStore, type NoteStore } from '../../business-svc/store/index.js';
import { NoteWatchers } from '../../business-svc/store/note-changes.js';
import type { NoteChange } from '../../business-svc/store/note-store.js';
import { BUSINESS_MIGRATIONS } from '../../business-svc/store/sqlite/migrations.js';
import { openDatabase } from '../../lib/sqlite/database.js';
import { within } from '../support/eventually.js';
import { expectRefusesNewerSchema, storeBackends, type StoreLocation } from '../support/store-backends.js';

type Location = StoreLocation<NoteStore>;
const BACKENDS = storeBackends((where) => openNoteStore(where), 'business.db');
/**
 * How often watchers poll: SQLite store instances in one process learn of each other's
 * writes only so; on PostgreSQL only NOTIFY can deliver within the tests' bounds.
 */
const POLL_MS = { SQLite: 50, PostgreSQL: 60_000 } as const;

const T0 = 1_700_000_000_000;
const LIMITS = { maxChanges: 100, maxBytes: 1024 * 1024 };
const seqs = (changes: readonly NoteChange[]) => changes.map((c) => c.seq);

for (const backend of BACKENDS) {
  const suite = backend.skip ? describe.skip : describe;
  suite(`note store contract: ${backend.name}${backend.skip ? ' (skipped: SKIP_POSTGRES=1)' : ''}`, function () {
    this.timeout(30_000);
    let location: Location;
    let store: NoteStore;
    const others: NoteStore[] = [];
    const watchers: NoteWatchers[] = [];
    /** Another process on the same database (a replica, a worker). */
    const another = async () => {
      const s = await location.open();
      others.push(s);
      return s;
    };
    const watching = async (s: NoteStore) => {
      const w = await NoteWatchers.open(s.changes, s.feed, POLL_MS[backend.name], (err) => expect.fail(String(err)));
      watchers.push(w);
      return w;
    };

    beforeEach(async () => {
      location = await backend.fresh();
      store = await location.open();
    });

    afterEach(async () => {
      for (const w of watchers.splice(0)) w.stop();
      for (const s of others.splice(0)) await s.close();
      await store.close();
      location.cleanup();
    });

    const create = async (s: NoteStore, owner: string, title: string, max = 100) => {
      const outcome = await s.create(owner, title, `body of ${title}`, max);
      if (outcome.kind !== 'created') throw new Error(`not created: ${outcome.kind}`);
      return outcome.note;
    };

    describe('migrations', () => {
      it('are safe when several processes open a fresh database at once, and keep the data', async () => {
        const fresh = await backend.fresh();
        try {
          const opened = await Promise.all([fresh.open(), fresh.open(), fresh.open()]);
          const note = await create(opened[0]!, 'alice', 'kept');
          expect(new Set(opened.map((s) => s.changes.id)).size, 'one change log').to.equal(1);
          for (const s of opened) expect(await s.get('alice', note.id)).to.deep.equal(note);
          await Promise.all(opened.map((s) => s.close()));
          const reopened = await fresh.open();
          expect(await reopened.get('alice', note.id)).to.deep.equal(note);
          await reopened.close();
        } finally {
          fresh.cleanup();
        }
      });

      it('refuses a database migrated by a newer build', async () => {
        await store.close();
        store = await expectRefusesNewerSchema(location);
      });

      it('gives each database a change log of its own', async () => {
        const elsewhere = await backend.fresh();
        try {
          const other = await elsewhere.open();
          expect(other.changes.id).to.match(/^[0-9a-f]{16}$/).and.not.equal(store.changes.id);
          expect((await another()).changes.id).to.equal(store.changes.id);
          await other.close();
        } finally {
          elsewhere.cleanup();
        }
      });
    });

    describe('notes', () => {
      it('creates, gets, updates (partially) and deletes', async () => {
        const note = await store.create('alice', 'title', 'body', 10, T0);
        expect(note.kind).to.equal('created');
        if (note.kind !== 'created') return;
        expect(note.note).to.deep.include({ ownerId: 'alice', title: 'title', body: 'body', createdAt: T0, updatedAt: T0, version: 1 });
        expect(await store.get('alice', note.note.id)).to.deep.equal(note.note);
        const updated = await store.patch('alice', note.note.id, { body: 'new body' }, T0 + 5);
        expect(updated).to.deep.equal({ kind: 'updated', note: { ...note.note, body: 'new body', updatedAt: T0 + 5, version: 2 } });
        expect(await store.delete('alice', note.note.id)).to.deep.include({ id: note.note.id, version: 2 });
        expect(await store.get('alice', note.note.id)).to.equal(undefined);
        expect(await store.delete('alice', note.note.id)).to.equal(undefined);
        expect(await store.patch('alice', note.note.id, { title: 'x' })).to.deep.equal({ kind: 'not_found' });
      });

      it("never reaches another owner's note", async () => {
        const secret = await create(store, 'alice', 'secret');
        expect(await store.get('mallory', secret.id)).to.equal(undefined);
        expect(await store.patch('mallory', secret.id, { title: 'pwned' })).to.deep.equal({ kind: 'not_found' });
        expect(await store.patch('mallory', secret.id, { title: 'pwned', expectedVersion: 1 })).to.deep.equal({ kind: 'not_found' });
        expect(await store.delete('mallory', secret.id)).to.equal(undefined);
        expect((await store.list('mallory', 10, undefined)).notes).to.deep.equal([]);
        expect(await store.get('alice', secret.id)).to.deep.equal(secret);
      });

      it('pages newest first without gaps or repeats', async () => {
        const titles = Array.from({ length: 7 }, (_, i) => `n${i}`);
        for (const t of titles) await create(store, 'carol', t);
        const seen: string[] = [];
        let page = await store.list('carol', 3, undefined);
        seen.push(...page.notes.map((n) => n.title));
        while (page.next) {
          page = await store.list('carol', 3, page.next);
          seen.push(...page.notes.map((n) => n.title));
        }
        expect(seen).to.deep.equal([...titles].reverse());
      });

      it('holds the per-owner limit; a delete frees a place', async () => {
        for (let i = 0; i < 3; i++) await create(store, 'dave', `d${i}`, 3);
        expect(await store.create('dave', 'one too many', '', 3)).to.deep.equal({ kind: 'limit_reached' });
        expect((await store.create('erin', 'another owner', '', 3)).kind).to.equal('created');
        const [first] = (await store.list('dave', 1, undefined)).notes;
        await store.delete('dave', first!.id);
        expect((await store.create('dave', 'fits again', '', 3)).kind).to.equal('created');
      });

      it('holds the limit for concurrent creates through several store instances (replicas)', async () => {
        const stores = [store, await another(), await another()];
        const outcomes = await Promise.all(Array.from({ length: 24 }, (_, i) => stores[i % 3]!.create('frank', `f${i}`, '', 5)));
        expect(outcomes.filter((o) => o.kind === 'created')).to.have.length(5);
        expect((await store.list('frank', 100, undefined)).notes).to.have.length(5);
      });

      it('lets exactly one of concurrent updates at the same expected version win, across store instances', async () => {
        const note = await create(store, 'grace', 'contended');
        const stores = [store, await another(), await another()];
        const outcomes = await Promise.all(
          Array.from({ length: 9 }, (_, i) => stores[i % 3]!.patch('grace', note.id, { title: `writer ${i}`, expectedVersion: 1 })),
        );
        const won = outcomes.filter((o) => o.kind === 'updated');
        expect(won).to.have.length(1);
        for (const lost of outcomes.filter((o) => o.kind !== 'updated')) expect(lost).to.deep.equal({ kind: 'version_mismatch', current: 2 });
        expect(await store.get('grace', note.id)).to.deep.include({ version: 2, title: won[0]!.kind === 'updated' ? won[0]!.note.title : '' });
        // Without expected_version the last writer wins, and every write counts.
        await Promise.all(stores.map((s, i) => s.patch('grace', note.id, { body: `b${i}` })));
        expect((await store.get('grace', note.id))?.version).to.equal(5);
      });
    });

    describe('change log', () => {
      it('records every write in order, with the note as it was right after it', async () => {
        const note = await create(store, 'alice', 'v1');
        await store.patch('alice', note.id, { title: 'v2' });
        await create(store, 'bob', 'bobs');
        await store.delete('alice', note.id);
        const all = await store.changes.read(0, 100);
        expect(all.changes.map((c) => [c.kind, c.note.ownerId, c.note.title, c.note.version])).to.deep.equal([
          ['created', 'alice', 'v1', 1],
          ['updated', 'alice', 'v2', 2],
          ['created', 'bob', 'bobs', 1],
          ['deleted', 'alice', 'v2', 2],
        ]);
        expect(seqs(all.changes)).to.deep.equal([...seqs(all.changes)].sort((a, b) => a - b));
        expect(all.position).to.equal(all.changes[3]!.seq);
        const alices = await store.changes.read(0, 100, 'alice');
        expect(alices.changes.map((c) => c.kind)).to.deep.equal(['created', 'updated', 'deleted']);
        expect(alices.position, 'the position covers other owners too').to.equal(all.position);
        // Refused writes record nothing.
        await store.patch('alice', note.id, { title: 'gone' });
        await store.create('bob', 'over the limit', '', 1);
        expect((await store.changes.read(all.position, 100)).changes).to.deep.equal([]);
      });

      it('pages by limit: the position is then the last change read', async () => {
        for (let i = 0; i < 5; i++) await create(store, 'alice', `p${i}`);
        const first = await store.changes.read(0, 2);
        expect(first.changes).to.have.length(2);
        expect(first.position).to.equal(first.changes[1]!.seq);
        const rest = await store.changes.read(first.position, 10);
        expect(rest.changes.map((c) => c.note.title)).to.deep.equal(['p2', 'p3', 'p4']);
        expect((await store.changes.read(0, 0)).position, 'limit 0: just the position').to.equal(rest.position);
      });

      it('numbers writes of several processes so that a reader resuming after the last seq never skips or repeats one', async () => {
        const stores = [store, await another(), await another()];
        const collected: NoteChange[] = [];
        let position = 0;
        const readNew = async () => {
          const batch = await store.changes.read(position, 7);
          collected.push(...batch.changes);
          position = batch.position;
          return batch.changes.length;
        };
        let writing = true;
        const reader = (async () => {
          while (writing) await readNew();
        })();
        await Promise.all(Array.from({ length: 30 }, (_, i) => create(stores[i % 3]!, `owner${i % 4}`, `c${i}`)));
        writing = false;
        await reader;
        while ((await readNew()) > 0);
        expect(collected.map((c) => c.note.title).sort()).to.deep.equal(Array.from({ length: 30 }, (_, i) => `c${i}`).sort());
        expect(seqs(collected)).to.deep.equal([...seqs(collected)].sort((a, b) => a - b));
      });

      it('purges a prefix older than the cutoff and says how far, so a reader behind it knows it missed changes', async () => {
        const old = await store.create('alice', 'old', '', 10, T0);
        await store.create('alice', 'older too', '', 10, T0 + 1);
        await store.create('alice', 'recent', '', 10, Date.now());
        const before = await store.changes.read(0, 10);
        expect(await store.changes.purge(T0 + 100)).to.equal(2);
        const after = await store.changes.read(0, 10);
        expect(after.changes.map((c) => c.note.title)).to.deep.equal(['recent']);
        expect(after.purgedThrough).to.equal(before.changes[1]!.seq);
        expect(old.kind).to.equal('created');
        expect(await store.changes.purge(T0 + 100), 'idempotent').to.equal(0);
        expect(await store.changes.purge(Date.now() + 1000)).to.equal(1);
        const empty = await store.changes.read(0, 10);
        expect(empty).to.deep.equal({ changes: [], position: before.position, purgedThrough: before.position });
      });
    });

    describe('watchers (one per process)', () => {
      it("get a change written through another store instance (another replica or worker) within 1 s, only their owner's", async () => {
        const other = await another();
        const w = await watching(other);
        const heard: NoteChange[] = [];
        const stop = w.watch('alice', (c) => heard.push(c));
        await create(store, 'alice', 'a1');
        await create(store, 'bob', 'not for alice');
        await create(other, 'alice', 'a2');
        await within(1000, async () => heard.length >= 2, 'both of alice\'s changes arrive');
        stop();
        await create(store, 'alice', 'after stop');
        await new Promise((r) => setTimeout(r, 100));
        expect(heard.map((c) => c.note.title)).to.deep.equal(['a1', 'a2']);
      });

      it('resume: replays what came after the position, then live changes, with no gap and no repeat even while writes go on', async () => {
        const w = await watching(store);
        const other = await another();
        for (let i = 0; i < 3; i++) await create(store, 'alice', `before ${i}`);
        const resumeAfter = (await store.changes.read(0, 1)).position; // after the first change
        let writing = true;
        let n = 0;
        const writer = (async () => {
          while (writing && n < 40) await create(n % 2 ? store : other, 'alice', `during ${n++}`);
        })();
        await new Promise((r) => setTimeout(r, 30));
        const outcome = await w.resume('alice', resumeAfter, LIMITS);
        expect(outcome.kind).to.equal('resumed');
        if (outcome.kind !== 'resumed') return;
        const heard: NoteChange[] = [];
        const stop = outcome.start((c) => heard.push(c));
        await new Promise((r) => setTimeout(r, 50));
        writing = false;
        await writer;
        const total = 3 + n;
        await within(1000, async () => heard.length >= total - 1, 'every change after the position');
        stop();
        const expected = (await store.changes.read(resumeAfter, 1000, 'alice')).changes;
        expect(seqs(heard)).to.deep.equal(seqs(expected));
        expect(heard[0]!.note.title).to.equal('before 1');
      });

      it('resume: refuses a purged position, one beyond the log, and a replay over the limits', async () => {
        const w = await watching(store);
        await store.create('alice', 'old', '', 10, T0);
        for (let i = 0; i < 4; i++) await create(store, 'alice', `n${i}`);
        const head = (await store.changes.read(0, 0)).position;
        expect((await w.resume('alice', head + 1, LIMITS)).kind).to.equal('unknown_position');
        expect((await w.resume('alice', 0, { maxChanges: 3, maxBytes: 1e6 })).kind).to.equal('too_far_behind');
        expect((await w.resume('alice', 0, { maxChanges: 100, maxBytes: 300 })).kind).to.equal('too_far_behind');
        expect((await w.resume('bob', 0, { maxChanges: 3, maxBytes: 1e6 })).kind, "only the owner's changes count").to.equal('resumed');
        await store.changes.purge(T0 + 1);
        expect((await w.resume('alice', 0, LIMITS)).kind).to.equal('too_old');
        const fromHorizon = await w.resume('alice', head - 4, LIMITS);
        expect(fromHorizon.kind).to.equal('resumed');
        if (fromHorizon.kind === 'resumed') {
          const heard: NoteChange[] = [];
          fromHorizon.start((c) => heard.push(c))();
          expect(heard.map((c) => c.note.title)).to.deep.equal(['n0', 'n1', 'n2', 'n3']);
        }
      });
    });
  });
}

describe('note store: SQLite upgrade from the first schema', () => {
  it('counts the notes an older build stored, so the per-owner limit holds for them', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'note-store-upgrade-'));
    const dbPath = join(dir, 'business.db');
    try {
      const v1 = openDatabase(dbPath, BUSINESS_MIGRATIONS.filter((m) => m.version === 1));
      const insert = v1.prepare('INSERT INTO notes (id, owner_id, title, body, created_at, updated_at) VALUES (?, ?, ?, ?, ?, ?)');
      for (let i = 0; i < 3; i++) insert.run(randomUUID(), 'old-owner', `legacy ${i}`, '', T0, T0);
      v1.close();
      const store = await openNoteStore({ dbPath, databaseUrl: undefined });
      expect((await store.list('old-owner', 10, undefined)).notes).to.have.length(3);
      expect(await store.create('old-owner', 'fourth', '', 3)).to.deep.equal({ kind: 'limit_reached' });
      expect((await store.create('old-owner', 'fourth', '', 4)).kind).to.equal('created');
      await store.close();
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
