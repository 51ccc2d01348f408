import { statSync } from 'node:fs';
import { join } from 'node:path';
import { status } from '@grpc/grpc-js';
import Database from 'better-sqlite3';
import { expect } from 'chai';
import pg from 'pg';
import { createAuthClient, createNotesClient, type ClientError, type NotesClient } from '@grpc-token-auth/sdk';
import type { ServiceProcess } from '../../scripts/support/service-process.js';
import { bearer } from '../support/grpc.js';
import { OWN_CONNECTION } from '../support/note-watchers.js';
import { SKIP_POSTGRES, sharedTestPostgres } from '../support/postgres.js';
import { startBusinessReplicas } from '../support/replicas.js';
import { startSystem, type RunningSystem } from '../support/system.js';

// The attack: one note, UpdateNote with 40 KB bodies from 4 connections. NOTE_ATTACK_SECONDS
// lengthens it (the issue measured 20 s).
const ATTACK_MS = Number(process.env.NOTE_ATTACK_SECONDS ?? 8) * 1000;
/** 10,000 characters (the limit) of 4 UTF-8 bytes each, random so that no store can compress them much. */
const body40KB = () => String.fromCodePoint(...Array.from({ length: 10_000 }, () => 0x1f300 + Math.floor(Math.random() * 0x600)));
const QUOTA_BYTES = 4 * 1024 * 1024;
const RETENTION_SECONDS = 10; // purged every second
const QUOTA_ENV = {
  NOTE_BYTES_PER_USER: String(QUOTA_BYTES),
  NOTE_WRITES_PER_SECOND: '20',
  NOTE_WRITE_BURST: '20',
  NOTE_CHANGES_RETENTION_SECONDS: String(RETENTION_SECONDS),
  RPC_LOG: 'failures',
};
const RETRY_AFTER = 'retry-after-seconds';

let users = 0;
async function newUser(sys: RunningSystem): Promise<string> {
  const auth = createAuthClient(sys.authAddress);
  try {
    const email = `quota-${++users}-${Date.now()}@example.com`;
    await auth.register({ email, password: 'quota-test-passphrase', displayName: email });
    return (await auth.login({ email, password: 'quota-test-passphrase' })).accessToken;
  } finally {
    auth.close();
  }
}

interface AttackResult {
  ok: number;
  refused: Record<string, number>;
  retryAfter: number[];
  other: string[];
}

/** `clients` loop UpdateNote on one note until `ms` have passed; every outcome is counted. */
async function updateFlood(clients: readonly NotesClient[], token: string, id: string, ms: number): Promise<AttackResult> {
  const result: AttackResult = { ok: 0, refused: {}, retryAfter: [], other: [] };
  const until = Date.now() + ms;
  await Promise.all(
    clients.map(async (c) => {
      while (Date.now() < until) {
        try {
          await c.updateNote({ id, body: body40KB() }, { metadata: bearer(token) });
          result.ok++;
        } catch (err) {
          const e = err as ClientError;
          if (e.code !== status.RESOURCE_EXHAUSTED) {
            result.other.push(e.message);
            continue;
          }
          const kind = /per second/.test(e.details) ? 'rate' : /storage is full/.test(e.details) ? 'bytes' : e.details;
          result.refused[kind] = (result.refused[kind] ?? 0) + 1;
          result.retryAfter.push(Number(e.metadata.get(RETRY_AFTER)[0]));
        }
      }
    }),
  );
  return result;
}

interface Variant {
  readonly name: string;
  readonly skip?: boolean;
  /** The system under attack, and what the store holds: bytes on disk and the owner's accounted bytes. */
  start(): Promise<{ sys: RunningSystem; addresses: string[]; extra: ServiceProcess[]; diskBytes(): Promise<number>; accounted(): Promise<number> }>;
}

/**
 * The database file. Its write-ahead log is not counted: one per database whatever the users,
 * reset at each checkpoint (every ~4 MB of writes); it is reported beside.
 */
const sqliteDisk = (sys: RunningSystem, files = ['business.db']) => async () =>
  files.reduce((sum, f) => {
    try {
      return sum + statSync(join(sys.dataDir, f)).size;
    } catch {
      return sum;
    }
  }, 0);
const sqliteAccounted = (sys: RunningSystem) => async () => {
  const db = new Database(join(sys.dataDir, 'business.db'), { readonly: true });
  try {
    return (db.prepare('SELECT max(stored_bytes) AS b FROM note_counts').get() as { b: number }).b;
  } finally {
    db.close();
  }
};

const VARIANTS: Variant[] = [
  {
    name: 'SQLite, one process',
    async start() {
      const sys = await startSystem(QUOTA_ENV);
      return { sys, addresses: [sys.businessAddress], extra: [], diskBytes: sqliteDisk(sys), accounted: sqliteAccounted(sys) };
    },
  },
  {
    name: 'SQLite, WORKERS=2',
    async start() {
      const sys = await startSystem({ ...QUOTA_ENV, WORKERS: '2' });
      return { sys, addresses: [sys.businessAddress], extra: [], diskBytes: sqliteDisk(sys), accounted: sqliteAccounted(sys) };
    },
  },
  {
    name: 'PostgreSQL, two replicas',
    skip: SKIP_POSTGRES,
    async start() {
      const url = await (await sharedTestPostgres()).createDatabase();
      const env = { ...QUOTA_ENV, BUSINESS_DATABASE_URL: url };
      const sys = await startSystem(env);
      const extra = await startBusinessReplicas(sys, 1, env);
      const query = async (sql: string) => {
        const client = new pg.Client({ connectionString: url });
        await client.connect();
        try {
          return Number((await client.query<{ v: string }>(sql)).rows[0]!.v);
        } finally {
          await client.end();
        }
      };
      return {
        sys,
        addresses: [sys.businessAddress, `127.0.0.1:${extra[0]!.port}`],
        extra,
        diskBytes: () => query(`SELECT pg_total_relation_size('notes') + pg_total_relation_size('note_changes') AS v`),
        accounted: () => query('SELECT max(stored_bytes) AS v FROM note_counts'),
      };
    },
  },
];

for (const variant of VARIANTS) {
  (variant.skip ? describe.skip : describe)(`per-user storage quota under the UpdateNote flood (real processes): ${variant.name}`, function () {
    this.timeout(ATTACK_MS + 90_000);

    it('stays within the byte budget, answers RESOURCE_EXHAUSTED with retry-after, spares other users, and lets the user write again once changes age out', async () => {
      const { sys, addresses, extra, diskBytes, accounted } = await variant.start();
      const clients = Array.from({ length: 4 }, (_, i) => createNotesClient(addresses[i % addresses.length]!, OWN_CONNECTION));
      try {
        const attacker = await newUser(sys);
        const bystander = await newUser(sys);
        const md = (token: string) => ({ metadata: bearer(token) });
        const note = (await clients[0]!.createNote({ title: 'target', body: '' }, md(attacker))).note!;
        const other = (await clients[1]!.createNote({ title: 'mine', body: 'x' }, md(bystander))).note!;
        const diskBefore = await diskBytes();

        // A bystander keeps writing through the flood, on the same processes.
        let bystanderWrites = 0;
        const bystanderDone = (async () => {
          const until = Date.now() + ATTACK_MS - 500;
          while (Date.now() < until) {
            await clients[2]!.updateNote({ id: other.id, body: `v${bystanderWrites}` }, md(bystander));
            bystanderWrites++;
            await new Promise((r) => setTimeout(r, 250));
          }
        })();
        const flood = await updateFlood(clients, attacker, note.id, ATTACK_MS);
        await bystanderDone;
        const grown = (await diskBytes()) - diskBefore;
        const wal = variant.name.startsWith('SQLite') ? await sqliteDisk(sys, ['business.db-wal'])() : 0;
        const held = await accounted();
        console.log(
          `      ${variant.name}: ${ATTACK_MS / 1000} s: ${flood.ok} UpdateNote OK, refused ${JSON.stringify(flood.refused)}, ` +
            `retry-after ${Math.min(...flood.retryAfter)}–${Math.max(...flood.retryAfter)} s; store grew ${(grown / 1e6).toFixed(2)} MB (SQLite WAL ${(wal / 1e6).toFixed(2)} MB); ` +
            `owner accounted ${(held / 1e6).toFixed(2)} MB of ${(QUOTA_BYTES / 1e6).toFixed(2)}; bystander ${bystanderWrites} writes OK`,
        );
        expect(flood.other, 'no other failure').to.deep.equal([]);
        expect(flood.refused.rate ?? 0, 'refused for the rate').to.be.above(0);
        expect(flood.refused.bytes ?? 0, 'refused for the bytes').to.be.above(0);
        expect(flood.retryAfter.every((s) => Number.isInteger(s) && s >= 1 && s <= RETENTION_SECONDS + 1), 'retry-after on every refusal').to.equal(true);
        expect(held).to.be.at.most(QUOTA_BYTES);
        // Accounted bytes are text plus a fixed overhead per row; page slack puts the disk at up to ~1.8 ×
        // that (measured over body sizes 0–40 KB): 2 × bounds it. PostgreSQL also keeps each replaced
        // note version and each purged change as a dead row until (auto)vacuum makes its room reusable:
        // at most two rows per acknowledged write, so bounded by the write rate, not by the flood.
        const deadRows = variant.name.startsWith('PostgreSQL') ? 2 * flood.ok * 41_000 : 0;
        expect(grown, 'disk growth within the budget').to.be.below(QUOTA_BYTES * 2 + deadRows);
        expect(bystanderWrites).to.be.above(ATTACK_MS / 500);

        // Everything acknowledged is there: the note is at the version of the last OK update.
        const after = (await clients[0]!.getNote({ id: note.id }, md(attacker))).note!;
        expect(after.version).to.equal(1 + flood.ok);

        // The user deletes the note (never refused); once the changes age out, it can write again.
        await clients[1]!.deleteNote({ id: note.id }, md(attacker));
        const deadline = Date.now() + (RETENTION_SECONDS + 5) * 1000;
        let created = false;
        while (!created && Date.now() < deadline) {
          try {
            await clients[3]!.createNote({ title: 'again', body: body40KB() }, md(attacker));
            created = true;
          } catch (err) {
            const e = err as ClientError;
            expect(e.code).to.equal(status.RESOURCE_EXHAUSTED);
            await new Promise((r) => setTimeout(r, Number(e.metadata.get(RETRY_AFTER)[0]) * 1000));
          }
        }
        expect(created, 'can write again once its changes were purged').to.equal(true);
      } finally {
        for (const c of clients) c.close();
        await Promise.all(extra.map((p) => p.stop()));
        await sys.stop();
      }
    });
  });
}
