import { expect } from 'chai';
import { randomUUID } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pino } from 'pino';
import { Revoker } from '../../auth-svc/sessions/revoker.js';
import { openAuthStore, type AuthStore } from '../../auth-svc/store/index.js';
import { UserAdmin } from '../../auth-svc/users/user-admin.js';
import { PG_AUTH_MIGRATIONS } from '../../auth-svc/store/postgres/migrations.js';
import { AUTH_MIGRATIONS } from '../../auth-svc/store/sqlite/migrations.js';
import { migratePostgres } from '../../lib/postgres/migrate.js';
import { createPool } from '../../lib/postgres/pool.js';
import { openDatabase, type MigrationFinding } from '../../lib/sqlite/database.js';
import { SKIP_POSTGRES, sharedTestPostgres } from '../support/postgres.js';

/** Accounts as a build before migration 5 stored them: key = NFC + lower case. */
const OLD_ROWS = [
  { email: 'fiona@example.com', at: 1 },
  { email: '\ufb01ona@example.com', at: 2 }, // ligature: a second account under the old key
  { email: 'ＶＩＣＴＯＲ@example.com', at: 3 }, // fullwidth, and nobody else has victor
  { email: 'vic\u200btim@example.com', at: 4 }, // zero-width space, nobody has victim
  { email: 'Ann@example.com', at: 5 },
  { email: 'a\u00adnn@example.com', at: 6 }, // soft hyphen look-alike of Ann, later
];
const oldKey = (email: string) => email.trim().normalize('NFC').toLowerCase();

interface Backend {
  readonly name: string;
  readonly skip: boolean;
  /** A database at schema 4 holding OLD_ROWS; returns how to open it with this build, and the ids by email. */
  seed(): Promise<{ open: (onFinding: (f: MigrationFinding) => void) => Promise<AuthStore>; ids: Map<string, string>; cleanup: () => void }>;
}

const insert = (email: string, at: number) => [randomUUID(), email, oldKey(email), 'hash', 'U', '["user"]', at, at] as const;

const BACKENDS: Backend[] = [
  {
    name: 'SQLite',
    skip: false,
    async seed() {
      const dir = mkdtempSync(join(tmpdir(), 'rekey-'));
      const dbPath = join(dir, 'auth.db');
      const db = openDatabase(dbPath, AUTH_MIGRATIONS.filter((m) => m.version <= 4));
      const ids = new Map<string, string>();
      for (const { email, at } of OLD_ROWS) {
        const row = insert(email, at);
        db.prepare('INSERT INTO users (id, email, email_normalized, password_hash, display_name, roles, created_at, updated_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?)').run(...row);
        ids.set(email, row[0]);
      }
      db.close();
      return { open: (onFinding) => openAuthStore({ dbPath, databaseUrl: undefined }, undefined, onFinding), ids, cleanup: () => rmSync(dir, { recursive: true, force: true }) };
    },
  },
  {
    name: 'PostgreSQL',
    skip: SKIP_POSTGRES,
    async seed() {
      const databaseUrl = await (await sharedTestPostgres()).createDatabase();
      const pool = createPool(databaseUrl, () => {});
      await migratePostgres(pool, PG_AUTH_MIGRATIONS.filter((m) => m.version <= 4));
      const ids = new Map<string, string>();
      for (const { email, at } of OLD_ROWS) {
        const row = insert(email, at);
        await pool.query('INSERT INTO users (id, email, email_normalized, password_hash, display_name, roles, created_at, updated_at) VALUES ($1, $2, $3, $4, $5, $6, $7, $8)', [...row]);
        ids.set(email, row[0]);
      }
      await pool.end();
      return { open: (onFinding) => openAuthStore({ dbPath: 'unused', databaseUrl }, undefined, onFinding), ids, cleanup: () => {} };
    },
  },
];

for (const backend of BACKENDS) {
  (backend.skip ? describe.skip : describe)(`migration 5: emails re-keyed in canonical form: ${backend.name}`, function () {
    this.timeout(30_000);

    it('keeps every account usable by id, keys look-alikes together, keeps colliding accounts apart (oldest keeps the address) and reports each', async () => {
      const { open, ids, cleanup } = await backend.seed();
      const findings: MigrationFinding[] = [];
      const store = await open((f) => findings.push(f));
      try {
        const id = (email: string) => ids.get(email)!;
        // Every account is still there, unchanged but for its key.
        for (const { email } of OLD_ROWS) expect((await store.users.findById(id(email)))?.email).to.equal(email);
        // Collision: the ligature account (younger) is kept apart, the plain one keeps the address.
        expect((await store.users.findByEmail('fiona@example.com'))?.id).to.equal(id('fiona@example.com'));
        expect((await store.users.findByEmail('\ufb01ona@example.com'))?.id).to.equal(id('fiona@example.com'));
        const apart = id('\ufb01ona@example.com');
        expect((await store.users.findByEmail(`collision:${apart}`))?.id, 'the younger one signs in with its collision key').to.equal(apart);
        expect((await store.users.findByEmail('ann@example.com'))?.id).to.equal(id('Ann@example.com'));
        expect((await store.users.findByEmail(`collision:${id('a\u00adnn@example.com')}`))?.id).to.equal(id('a\u00adnn@example.com'));
        // No collision: the fullwidth and the invisible-character accounts are reachable by their plain address.
        expect((await store.users.findByEmail('victor@example.com'))?.id).to.equal(id('ＶＩＣＴＯＲ@example.com'));
        expect((await store.users.findByEmail('victim@example.com'))?.id).to.equal(id('vic\u200btim@example.com'));
        // Reported: both collisions and the stored invisible character, by id only.
        const collisions = findings.filter((f) => f.fields.event === 'email_collision').map((f) => f.fields);
        expect(collisions).to.deep.include.members([
          { event: 'email_collision', kept: id('fiona@example.com'), apart: [apart] },
          { event: 'email_collision', kept: id('Ann@example.com'), apart: [id('a\u00adnn@example.com')] },
        ]);
        expect(findings.filter((f) => f.fields.event === 'email_invisible_characters').map((f) => f.fields.user)).to.deep.equal([id('vic\u200btim@example.com')]);
        expect(JSON.stringify(findings)).not.to.include('@example.com');
        // Pages walk every account once, by the stored keys.
        const seen: string[] = [];
        for (let after: string | undefined, more = true; more; ) {
          const page = await store.users.list({ prefix: '', after, limit: 2 });
          seen.push(...page.map((u) => u.id));
          [after, more] = [page.at(-1)?.emailKey, page.length === 2];
        }
        expect([...seen].sort()).to.deep.equal([...ids.values()].sort());

        // An operator settles a collision: found by what it signs in with, given an address of its own.
        const revoker = await Revoker.open(store.revocations, 60_000);
        try {
          const admin = new UserAdmin({ users: store.users, sessions: store.sessions, revoker, log: pino({ level: 'silent' }) });
          const operator = { kind: 'cli', name: 'test' } as const;
          // An operator finds them all by their key's prefix (`users list --prefix collision:`).
          const kept = await admin.list(operator, { emailPrefix: 'collision:', after: undefined, limit: 10 });
          expect(kept.users.map((u) => u.id).sort()).to.deep.equal([apart, id('a\u00adnn@example.com')].sort());
          const moved = await admin.setEmail(operator, `collision:${apart}`, 'fiona.two@example.com');
          expect(moved).to.deep.include({ id: apart, email: 'fiona.two@example.com', emailKey: 'fiona.two@example.com' });
          expect((await store.users.findByEmail('fiona.two@example.com'))?.id).to.equal(apart);
          expect(await store.users.findByEmail(`collision:${apart}`), 'the collision key is gone').to.equal(undefined);
          // The look-alike it collided with stays refused: it is the older account's address.
          const taken = await admin.setEmail(operator, apart, '\ufb01ona@example.com').catch((e: Error) => e);
          expect(taken).to.have.property('kind', 'exists');
        } finally {
          revoker.stop();
        }
      } finally {
        await store.close();
      }
      // Reopening runs nothing again.
      const again: MigrationFinding[] = [];
      await (await open((f) => again.push(f))).close();
      expect(again).to.deep.equal([]);
      cleanup();
    });
  });
}

