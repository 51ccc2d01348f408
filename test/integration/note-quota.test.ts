import { expect } from 'chai';
import { randomUUID } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { openNoteStore, type NoteStore } from '../../business-svc/store/index.js';
import { PG_BUSINESS_MIGRATIONS } from '../../business-svc/store/postgres/migrations.js';
import { BUSINESS_MIGRATIONS } from '../../business-svc/store/sqlite/migrations.js';
import { openMigratedPool } from '../../lib/postgres/migrate.js';
import { rowBytes, type WriteQuota } from '../../business-svc/store/write-quota.js';
import { openDatabase } from '../../lib/sqlite/database.js';
import { SKIP_POSTGRES, sharedTestPostgres } from '../support/postgres.js';
import { storeBackends, type StoreLocation } from '../support/store-backends.js';

const LOOSE: WriteQuota = { maxBytes: 1e9, writesPerSecond: 10_000, writeBurst: 10_000, changesKeptMs: 3_600_000 };
let quota: WriteQuota = LOOSE;
const BACKENDS = storeBackends((where) => openNoteStore(where, () => {}, quota), 'business.db');
const BODY = 'b'.repeat(5000);
/** One row of a note titled "t" with BODY, for `owner`. */
const row = (owner: string) => rowBytes(owner, 1, BODY.length);

for (const backend of BACKENDS) {
  const suite = backend.skip ? describe.skip : describe;
  suite(`note store quota: ${backend.name}`, function () {
    this.timeout(30_000);
    let location: StoreLocation<NoteStore>;
    const opened: NoteStore[] = [];
    /** Stores (processes, replicas) on one fresh database, with `q` as their quota. */
    const stores = async (q: WriteQuota, n = 1) => {
      quota = q;
      location = await backend.fresh();
      for (let i = 0; i < n; i++) opened.push(await location.open());
      return opened.slice();
    };
    afterEach(async () => {
      for (const s of opened.splice(0)) await s.close();
      location.cleanup();
    });

    it('counts notes and their retained changes to the byte, refuses past the quota, and gives bytes back on purge', async () => {
      const r = row('owner-q');
      const [store] = await stores({ ...LOOSE, maxBytes: 12 * r + 10, changesKeptMs: 120_000 });
      const created = await store!.create('owner-q', 't', BODY, 100);
      if (created.kind !== 'created') throw new Error(created.kind);
      // The note and its change-log copy (2r), then each same-size update adds one change (r): 10 fit.
      const outcomes = [];
      for (let i = 0; i < 12; i++) outcomes.push((await store!.patch('owner-q', created.note.id, { body: BODY.replace('b', String(i % 10)) })).kind);
      expect(outcomes).to.deep.equal([...Array(10).fill('updated'), 'over_quota', 'over_quota']);
      const refused = await store!.patch('owner-q', created.note.id, { title: 'u' });
      expect(refused).to.deep.include({ kind: 'over_quota', limit: 'bytes' });
      if (refused.kind === 'over_quota') expect(refused.retryAfterMs, 'until the oldest change is purged').to.be.within(110_000, 120_000);
      // Nothing acknowledged was lost: the note is at its last acknowledged version, every change is in the log.
      expect((await store!.get('owner-q', created.note.id))?.version).to.equal(11);
      expect((await store!.changes.read(0, 100, 'owner-q')).changes.map((c) => c.note.version)).to.deep.equal([1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11]);
      // Another owner is not affected.
      expect((await store!.create('owner-other', 't', BODY, 100)).kind).to.equal('created');
      // A shrinking update is let through even at the quota; a delete always is, and frees nothing until purged.
      expect((await store!.patch('owner-q', created.note.id, { body: '' })).kind).to.equal('updated');
      expect((await store!.delete('owner-q', created.note.id))?.id).to.equal(created.note.id);
      expect(await store!.create('owner-q', 't', BODY, 100)).to.deep.include({ kind: 'over_quota', limit: 'bytes' });
      // Retention passes: the purge gives every purged change's bytes back.
      await store!.changes.purge(Date.now() + 1);
      const again = await store!.create('owner-q', 't', BODY, 100);
      expect(again.kind).to.equal('created');
      if (again.kind !== 'created') return;
      for (let i = 0; i < 10; i++) expect((await store!.patch('owner-q', again.note.id, { body: BODY })).kind, `update ${i}`).to.equal('updated');
      expect((await store!.patch('owner-q', again.note.id, { body: BODY })).kind).to.equal('over_quota');
    });

    it('holds the byte quota exactly when replicas write the same owner at once', async () => {
      const r = row('owner-race');
      const all = await stores({ ...LOOSE, maxBytes: 8 * r }, 3);
      const created = await all[0]!.create('owner-race', 't', BODY, 100);
      if (created.kind !== 'created') throw new Error(created.kind);
      const outcomes = await Promise.all(Array.from({ length: 30 }, (_, i) => all[i % 3]!.patch('owner-race', created.note.id, { body: BODY })));
      expect(outcomes.filter((o) => o.kind === 'updated')).to.have.length(6);
      expect(outcomes.filter((o) => o.kind === 'over_quota')).to.have.length(24);
      expect((await all[1]!.get('owner-race', created.note.id))?.version).to.equal(7);
    });

    it('limits writes per second with a burst, across replicas, with the wait to the next allowed write', async () => {
      const all = await stores({ ...LOOSE, writesPerSecond: 1, writeBurst: 4 }, 3);
      const outcomes = await Promise.all(Array.from({ length: 12 }, (_, i) => all[i % 3]!.create('owner-rate', `n${i}`, '', 100)));
      expect(outcomes.filter((o) => o.kind === 'created'), 'the burst').to.have.length(4);
      const refused = outcomes.filter((o) => o.kind === 'over_quota');
      expect(refused).to.have.length(8);
      for (const o of refused) expect(o).to.deep.include({ limit: 'rate' });
      const wait = Math.max(...refused.map((o) => (o.kind === 'over_quota' ? o.retryAfterMs : 0)));
      expect(wait).to.be.within(1, 1000);
      expect((await all[0]!.create('owner-other', 'n', '', 100)).kind, 'another owner').to.equal('created');
      await new Promise((resolve) => setTimeout(resolve, wait + 20));
      expect((await all[2]!.create('owner-rate', 'later', '', 100)).kind, 'after the wait').to.equal('created');
      expect((await all[1]!.create('owner-rate', 'too soon', '', 100)).kind).to.equal('over_quota');
      // Deletes are not counted against the rate.
      const first = outcomes.find((o) => o.kind === 'created');
      if (first?.kind === 'created') expect((await all[0]!.delete('owner-rate', first.note.id))?.id).to.equal(first.note.id);
    });
  });
}

/**
 * An upgraded store holding 3 rows of `legacy`'s under a 5-row budget (its note, two changes): two
 * more updates fit, the third is over the byte quota. Closes the store.
 */
async function expectTwoMoreUpdatesFit(store: NoteStore, id: string): Promise<void> {
  try {
    expect((await store.patch('legacy', id, { body: BODY })).kind).to.equal('updated');
    expect((await store.patch('legacy', id, { body: BODY })).kind).to.equal('updated');
    expect(await store.patch('legacy', id, { body: BODY })).to.deep.include({ kind: 'over_quota', limit: 'bytes' });
  } finally {
    await store.close();
  }
}

describe('note store quota: SQLite upgrade counts what an older build stored', () => {
  it("charges existing notes and changes to their owner's quota", async () => {
    const dir = mkdtempSync(join(tmpdir(), 'note-quota-upgrade-'));
    const dbPath = join(dir, 'business.db');
    try {
      const v2 = openDatabase(dbPath, BUSINESS_MIGRATIONS.filter((m) => m.version <= 2));
      const id = randomUUID();
      v2.prepare('INSERT INTO notes (id, owner_id, title, body, created_at, updated_at) VALUES (?, ?, ?, ?, ?, ?)').run(id, 'legacy', 't', BODY, 1, 1);
      v2.prepare('INSERT INTO note_counts (owner_id, note_count) VALUES (?, 1)').run('legacy');
      const change = v2.prepare(`INSERT INTO note_changes (owner_id, kind, note_id, title, body, created_at, updated_at, version, changed_at) VALUES ('legacy', ?, ?, 't', ?, 1, 1, 1, ?)`);
      change.run('created', id, BODY, Date.now());
      change.run('updated', id, BODY, Date.now());
      v2.close();
      const r = row('legacy');
      quota = { ...LOOSE, maxBytes: 5 * r }; // 3r stored: two more updates (r each) fit, a third does not
      await expectTwoMoreUpdatesFit(await openNoteStore({ dbPath, databaseUrl: undefined }, () => {}, quota), id);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});

(SKIP_POSTGRES ? describe.skip : describe)('note store quota: PostgreSQL upgrade counts what an older build stored', () => {
  it("charges existing notes and changes to their owner's quota", async () => {
    const url = await (await sharedTestPostgres()).createDatabase();
    const v1 = await openMigratedPool(url, PG_BUSINESS_MIGRATIONS.filter((m) => m.version === 1), () => {});
    const id = randomUUID();
    try {
      await v1.query('INSERT INTO notes (id, owner_id, title, body, created_at, updated_at) VALUES ($1, $2, $3, $4, 1, 1)', [id, 'legacy', 't', BODY]);
      await v1.query("INSERT INTO note_counts (owner_id, note_count) VALUES ('legacy', 1)");
      for (const kind of ['created', 'updated']) {
        await v1.query(
          `INSERT INTO note_changes (owner_id, kind, note_id, title, body, created_at, updated_at, version, changed_at) VALUES ('legacy', $1, $2, 't', $3, 1, 1, 1, $4)`,
          [kind, id, BODY, Date.now()],
        );
      }
    } finally {
      await v1.end();
    }
    await expectTwoMoreUpdatesFit(await openNoteStore({ dbPath: 'unused', databaseUrl: url }, () => {}, { ...LOOSE, maxBytes: 5 * row('legacy') }), id);
  });
});
