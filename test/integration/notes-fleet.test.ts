import { join } from 'node:path';
import { status, type ServiceError } from '@grpc/grpc-js';
import Database from 'better-sqlite3';
import { expect } from 'chai';
import pg from 'pg';
import { WatchNotesResponse_Kind } from '../../gen/business/v1/notes_service.js';
import { spawnService, type ServiceProcess } from '../../scripts/support/service-process.js';
import { createAuthClient, createNotesClient, type NotesClient } from '@grpc-token-auth/sdk';
import { within } from '../support/eventually.js';
import { bearer } from '../support/grpc.js';
import { OWN_CONNECTION, ResumingWatcher, type SeenChange } from '../support/note-watchers.js';
import { SKIP_POSTGRES, startTestPostgres, type TestPostgres } from '../support/postgres.js';
import { startBusinessReplicas } from '../support/replicas.js';
import { startSystem, testEnv, type RunningSystem } from '../support/system.js';

const KIND: Record<string, number> = {
  created: WatchNotesResponse_Kind.KIND_CREATED,
  updated: WatchNotesResponse_Kind.KIND_UPDATED,
  deleted: WatchNotesResponse_Kind.KIND_DELETED,
};
type LogRow = { seq: number | string; kind: string; note_id: string; version: number };
const OWNER_LOG_SQL = 'SELECT seq, kind, note_id, version FROM note_changes WHERE owner_id = $owner ORDER BY seq';
const toSeen = (rows: LogRow[]): SeenChange[] => rows.map((r) => ({ seq: Number(r.seq), kind: KIND[r.kind]!, noteId: r.note_id, version: r.version }));

let users = 0;
/** A fresh user (so its change log starts empty); resolves with its id and an access token. */
async function newUser(sys: RunningSystem): Promise<{ userId: string; token: string }> {
  const auth = createAuthClient(sys.authAddress);
  try {
    const email = `fleet-${++users}@example.com`;
    const password = 'fleet-test-passphrase';
    await auth.register({ email, password, displayName: email });
    const { userId, accessToken } = await auth.login({ email, password });
    return { userId, token: accessToken };
  } finally {
    auth.close();
  }
}

/** `perAddress` clients per address, each on its own connection. */
function clientsFor(addresses: readonly string[], perAddress = 1): NotesClient[] {
  return addresses.flatMap((a) => Array.from({ length: perAddress }, () => createNotesClient(a, OWN_CONNECTION)));
}

/**
 * `chains` notes, each created, updated (at version 1) and updated again through
 * different clients in turn, every other one deleted: writes spread over every process.
 */
async function writeChains(clients: readonly NotesClient[], token: string, chains: number): Promise<number> {
  const md = () => ({ metadata: bearer(token) });
  const at = (i: number) => clients[i % clients.length]!;
  let writes = 0;
  await Promise.all(
    Array.from({ length: chains }, async (_, i) => {
      const note = (await at(i).createNote({ title: `chain ${i}`, body: '' }, md())).note!;
      await at(i + 1).updateNote({ id: note.id, title: `chain ${i} v2`, expectedVersion: 1 }, md());
      await at(i + 2).updateNote({ id: note.id, body: 'v3' }, md());
      writes += 3;
      if (i % 2 === 0) {
        await at(i + 3).deleteNote({ id: note.id }, md());
        writes++;
      }
    }),
  );
  return writes;
}

/**
 * Creates and deletes notes through the clients in turn until stopped (so the per-user
 * limit is never reached); records the acknowledged creates and every failure's code.
 */
function keepWriting(clients: () => readonly NotesClient[], token: string) {
  const acknowledged: string[] = [];
  const failures: number[] = [];
  const failureDetails = new Set<string>();
  let running = true;
  let i = 0;
  const done = (async () => {
    while (running) {
      const all = clients();
      const client = all[i++ % all.length]!;
      try {
        const options = { metadata: bearer(token), deadline: Date.now() + 5000 };
        const { note } = await client.createNote({ title: `load ${i}`, body: '' }, options);
        acknowledged.push(note!.id);
        await client.deleteNote({ id: note!.id }, options);
      } catch (err) {
        failures.push((err as ServiceError).code);
        failureDetails.add(`${status[(err as ServiceError).code]}: ${(err as ServiceError).details}`);
      }
      await new Promise((r) => setTimeout(r, 5));
    }
  })();
  return {
    acknowledged,
    failures,
    failureDetails,
    async stop() {
      running = false;
      await done;
    },
  };
}

/** Every watcher saw exactly the owner's change log: each change once, in commit (seq) order. */
function expectEveryWatcherSawTheLog(watchers: readonly ResumingWatcher[], log: readonly SeenChange[]): void {
  expect(log.length).to.be.greaterThan(0);
  const seqs = log.map((c) => c.seq);
  expect(seqs, 'the log itself is in seq order').to.deep.equal([...seqs].sort((a, b) => a - b));
  for (const [i, w] of watchers.entries()) expect(w.seen, `watcher ${i} (reconnects: ${w.reconnects.join(', ') || 'none'}; errors: ${w.errors.join(', ') || 'none'})`).to.deep.equal(log);
}

const allSeen = (watchers: readonly ResumingWatcher[], n: number) => async () => watchers.every((w) => w.seen.length >= n);

describe('notes fleet: WORKERS=2 on SQLite (real processes)', function () {
  this.timeout(30_000);
  let sys: RunningSystem;

  before(async () => {
    sys = await startSystem({}, { business: { WORKERS: '2' } });
  });
  after(async () => {
    await sys?.stop();
  });

  const ownerLog = (userId: string): SeenChange[] => {
    const db = new Database(join(sys.dataDir, 'business.db'), { readonly: true });
    try {
      return toSeen(db.prepare<{ owner: string }, LogRow>(OWNER_LOG_SQL).all({ owner: userId }));
    } finally {
      db.close();
    }
  };
  const workersServing = (method: string) =>
    new Set(sys.business.output.filter((l) => l.includes(`NotesService/${method}`) && l.includes('"msg":"rpc"')).map((l) => (JSON.parse(l) as { worker: number }).worker));

  it('every watcher, on either worker, gets every change made through either worker exactly once, in commit order', async () => {
    const { userId, token } = await newUser(sys);
    const watchers = Array.from({ length: 6 }, () => new ResumingWatcher([sys.businessAddress], token));
    const writers = clientsFor([sys.businessAddress], 4);
    try {
      await Promise.all(watchers.map((w) => w.open()));
      const writes = await writeChains(writers, token, 12);
      await within(3000, allSeen(watchers, writes), 'every watcher has every change');
      await new Promise((r) => setTimeout(r, 100)); // and nothing more arrives
      expectEveryWatcherSawTheLog(watchers, ownerLog(userId));
      expect(ownerLog(userId)).to.have.length(writes);
    } finally {
      for (const c of [...watchers, ...writers]) c.close();
    }
    await within(2000, async () => workersServing('WatchNotes').size === 2, 'watchers were on both workers');
    expect(workersServing('CreateNote').size, 'writes went through both workers').to.equal(2);
  });
});

const pgSuite = SKIP_POSTGRES ? describe.skip : describe;

pgSuite('notes fleet: three business-svc replicas on PostgreSQL (real processes)', function () {
  this.timeout(60_000);
  const MAX_NOTES = 20;
  let pgServer: TestPostgres;
  let url: string;
  let sys: RunningSystem;
  let replicas: ServiceProcess[];
  const addresses = () => replicas.map((r) => `127.0.0.1:${r.port}`);
  const opened: { close(): void }[] = [];

  before(async () => {
    // A server of its own: one test restarts it.
    pgServer = await startTestPostgres();
    url = await pgServer.createDatabase();
    const env = { BUSINESS_DATABASE_URL: url, MAX_NOTES_PER_USER: String(MAX_NOTES) };
    sys = await startSystem({}, { business: env });
    replicas = [sys.business, ...(await startBusinessReplicas(sys, 2, env))];
  });
  afterEach(() => {
    for (const c of opened.splice(0)) c.close();
  });
  after(async () => {
    await Promise.all((replicas ?? []).slice(1).map((r) => r.stop()));
    await sys?.stop();
    await pgServer?.stop();
  });

  const track = <T extends { close(): void }>(items: T[]): T[] => (opened.push(...items), items);
  const ownerLog = async (userId: string): Promise<SeenChange[]> => {
    const client = new pg.Client({ connectionString: url });
    await client.connect();
    try {
      return toSeen((await client.query<LogRow>(OWNER_LOG_SQL.replace('$owner', '$1'), [userId])).rows);
    } finally {
      await client.end();
    }
  };
  /** Two watchers per replica; each reconnects to the next replica when its own goes away. */
  const watchersOnEveryReplica = async (token: string) => {
    const list = addresses();
    const watchers = track(list.flatMap((_, i) => [0, 1].map(() => new ResumingWatcher([...list.slice(i), ...list.slice(0, i)], token))));
    await Promise.all(watchers.map((w) => w.open()));
    return watchers;
  };

  it('keeps notes in PostgreSQL, and refuses to start on the database auth-svc is configured with', async () => {
    for (const r of replicas) expect(r.output.find((l) => l.includes('store: postgres')), 'where it keeps notes').to.be.a('string');
    let error: unknown;
    try {
      await spawnService('business-svc', { env: testEnv(sys.dataDir, { DATABASE_URL: url, BUSINESS_DATABASE_URL: url }) });
    } catch (err) {
      error = err;
    }
    expect(String(error)).to.include('exited with code 78').and.include("names auth-svc's database");
  });

  it('every watcher, on any replica, gets every change made through any replica exactly once, in commit order', async () => {
    const { userId, token } = await newUser(sys);
    const watchers = await watchersOnEveryReplica(token);
    const writes = await writeChains(track(clientsFor(addresses())), token, 12);
    await within(3000, allSeen(watchers, writes), 'every watcher has every change');
    await new Promise((r) => setTimeout(r, 100));
    const log = await ownerLog(userId);
    expect(log).to.have.length(writes);
    expectEveryWatcherSawTheLog(watchers, log);
  });

  it('holds the per-user limit and expected_version for concurrent writers on two replicas', async () => {
    const { token } = await newUser(sys);
    const [a, b] = track(clientsFor(addresses().slice(0, 2)));
    const md = { metadata: bearer(token) };
    const results = await Promise.allSettled(
      Array.from({ length: 3 * MAX_NOTES }, (_, i) => {
        const c = i % 2 ? a! : b!;
        return c.createNote({ title: `race ${i}`, body: '' }, md);
      }),
    );
    expect(results.filter((r) => r.status === 'fulfilled')).to.have.length(MAX_NOTES);
    for (const r of results) if (r.status === 'rejected') expect((r.reason as ServiceError).code).to.equal(status.RESOURCE_EXHAUSTED);

    const id = (results.find((r) => r.status === 'fulfilled') as PromiseFulfilledResult<{ note?: { id: string } }>).value.note!.id;
    const updates = await Promise.allSettled(
      Array.from({ length: 6 }, (_, i) => {
        const c = i % 2 ? a! : b!;
        return c.updateNote({ id, title: `writer ${i}`, expectedVersion: 1 }, md);
      }),
    );
    expect(updates.filter((r) => r.status === 'fulfilled'), 'exactly one writer wins').to.have.length(1);
    for (const r of updates) if (r.status === 'rejected') expect((r.reason as ServiceError).code).to.equal(status.ABORTED);
    expect((await a!.getNote({ id }, md)).note!.version).to.equal(2);
  });

  it('a replica killed (SIGKILL) mid-stream: its watchers resume on another replica and miss nothing', async () => {
    const { userId, token } = await newUser(sys);
    const watchers = await watchersOnEveryReplica(token);
    const [victim] = replicas.splice(2, 1);
    const clients = track(clientsFor(addresses()));
    const victimClient = track(clientsFor([`127.0.0.1:${victim!.port}`]))[0]!;
    let alive = [...clients, victimClient];
    const load = keepWriting(() => alive, token);
    try {
      await within(5000, async () => load.acknowledged.length >= 5, 'writes through all three replicas');
      alive = clients; // from now on writers only use the survivors
      victim!.child.kill('SIGKILL');
      await within(5000, async () => load.acknowledged.length >= 15, 'writes go on through the survivors');
    } finally {
      await load.stop();
      await victim!.stop();
    }
    const log = await ownerLog(userId);
    await within(5000, allSeen(watchers, log.length), 'every watcher has every change');
    expectEveryWatcherSawTheLog(watchers, log);
    expect(watchers.filter((w) => w.reconnects.length > 0), "the victim's two watchers reconnected").to.have.length(2);
    expect(new Set(log.filter((c) => c.kind === KIND.created).map((c) => c.noteId))).to.include.members(load.acknowledged);
  });

  it('PostgreSQL restarted under load: no acknowledged write is lost, failures are UNAVAILABLE, watchers catch up', async function () {
    this.timeout(40_000);
    const { userId, token } = await newUser(sys);
    const watchers = await watchersOnEveryReplica(token);
    const clients = track(clientsFor(addresses()));
    const load = keepWriting(() => clients, token);
    try {
      await within(5000, async () => load.acknowledged.length >= 5, 'writes before the restart');
      await pgServer.restart();
      const before = load.acknowledged.length;
      await within(15_000, async () => load.acknowledged.length >= before + 10, 'writes succeed again after the restart');
    } finally {
      await load.stop();
    }
    const log = await ownerLog(userId);
    const created = new Set(log.filter((c) => c.kind === KIND.created).map((c) => c.noteId));
    expect([...created], 'every acknowledged write is in the database').to.include.members(load.acknowledged);
    // UNAVAILABLE (retry), or the caller's own 5 s deadline passing while the database came back.
    const clear = new Set([status.UNAVAILABLE, status.DEADLINE_EXCEEDED]);
    expect(load.failures.every((c) => clear.has(c)), `refusals while it was down: ${[...load.failureDetails].join('; ')}`).to.equal(true);
    await within(10_000, allSeen(watchers, log.length), 'every watcher has caught up');
    expectEveryWatcherSawTheLog(watchers, log);
    for (const r of replicas) {
      expect(r.child.exitCode, 'no replica crashed').to.equal(null);
      expect(r.output.join('\n')).to.include('store: background operation failed');
    }
  });
});
