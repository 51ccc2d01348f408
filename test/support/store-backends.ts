import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { expect } from 'chai';
import pg from 'pg';
import { SKIP_POSTGRES, sharedTestPostgres } from './postgres.js';

/** Where a store is: the SQLite file, or a PostgreSQL URL (which wins when set). */
export interface StoreWhere {
  readonly dbPath: string;
  readonly databaseUrl: string | undefined;
}

/** Where one test's store lives, and backend-specific ways to tamper with it. */
export interface StoreLocation<S> {
  open(): Promise<S>;
  /** Pretends a newer build migrated the database. */
  bumpSchemaVersion(to: number): Promise<void>;
  cleanup(): void;
}

export interface StoreBackend<S> {
  readonly name: 'SQLite' | 'PostgreSQL';
  readonly skip: boolean;
  fresh(): Promise<StoreLocation<S>>;
}

/**
 * Both backends of a service's store, for one contract suite run against each: a fresh
 * SQLite file in a temp dir, or a fresh database on the shared test PostgreSQL.
 */
export function storeBackends<S>(open: (where: StoreWhere) => Promise<S>, filename: string): readonly StoreBackend<S>[] {
  return [
    {
      name: 'SQLite',
      skip: false,
      async fresh() {
        const dir = mkdtempSync(join(tmpdir(), 'store-'));
        const dbPath = join(dir, filename);
        return {
          open: () => open({ dbPath, databaseUrl: undefined }),
          async bumpSchemaVersion(to) {
            const db = new Database(dbPath);
            db.pragma(`user_version = ${to}`);
            db.close();
          },
          cleanup: () => rmSync(dir, { recursive: true, force: true }),
        };
      },
    },
    {
      name: 'PostgreSQL',
      skip: SKIP_POSTGRES,
      async fresh() {
        const databaseUrl = await (await sharedTestPostgres()).createDatabase();
        return {
          open: () => open({ dbPath: 'unused', databaseUrl }),
          async bumpSchemaVersion(to) {
            const client = new pg.Client({ connectionString: databaseUrl });
            await client.connect();
            await client.query('INSERT INTO schema_migrations (version, name, applied_at) VALUES ($1, $2, 0)', [to, 'from the future']);
            await client.end();
          },
          cleanup: () => {},
        };
      },
    },
  ];
}

/**
 * Checks that opening a database a newer build migrated fails and says why. Resolves with
 * a stand-in for the test's store (nothing to close).
 */
export async function expectRefusesNewerSchema<S>(location: StoreLocation<S>): Promise<S> {
  await location.bumpSchemaVersion(99);
  let error: unknown;
  try {
    await location.open();
  } catch (err) {
    error = err;
  }
  expect(String(error)).to.match(/schema version 99 is newer than this build knows/);
  return { close: async () => {} } as S;
}
