import { chmodSync, mkdirSync } from 'node:fs';
import { dirname } from 'node:path';
import Database from 'better-sqlite3';

export type Db = Database.Database;

/** One schema change. Versions start at 1 and never change once released. */
export interface Migration {
  readonly version: number;
  readonly name: string;
  readonly sql: string;
  /** Stored values recomputed in code after `sql`, in the same transaction. */
  readonly rewrite?: RowRewrite;
}

/**
 * A change of stored values SQL cannot compute (e.g. Unicode normalisation): `select` reads the
 * rows, `plan` (pure) says which parameter lists to run `update` with, in order, and what an
 * operator should hear about (reported through the opener's `onFinding`).
 */
export interface RowRewrite {
  readonly select: string;
  readonly update: string;
  readonly plan: (rows: readonly Record<string, unknown>[]) => { readonly updates: readonly unknown[][]; readonly findings: readonly MigrationFinding[] };
}

/** Something a migration did that an operator should know (logged as a warning). */
export interface MigrationFinding {
  readonly message: string;
  readonly fields: Readonly<Record<string, unknown>>;
}

export type FindingListener = (finding: MigrationFinding) => void;

/**
 * Opens (creating if needed) a SQLite file in WAL mode and applies pending migrations,
 * each in its own transaction, tracked in `PRAGMA user_version`.
 */
export function openDatabase(path: string, migrations: readonly Migration[], onFinding: FindingListener = () => {}): Db {
  if (path !== ':memory:') mkdirSync(dirname(path), { recursive: true });
  const db = new Database(path);
  if (path !== ':memory:') chmodSync(path, 0o600); // auth-svc keeps private keys here
  db.pragma('journal_mode = WAL');
  db.pragma('synchronous = NORMAL');
  db.pragma('foreign_keys = ON');
  db.pragma('busy_timeout = 5000');
  migrate(db, migrations, onFinding);
  return db;
}

function migrate(db: Db, migrations: readonly Migration[], onFinding: FindingListener): void {
  const current = db.pragma('user_version', { simple: true }) as number;
  const latest = migrations.reduce((max, m) => Math.max(max, m.version), 0);
  if (current > latest) {
    throw new Error(`database schema version ${current} is newer than this build knows (${latest})`);
  }
  for (const m of [...migrations].sort((a, b) => a.version - b.version)) {
    if (m.version <= current) continue;
    const findings = db.transaction(() => {
      db.exec(m.sql);
      const found = m.rewrite ? rewriteRows(db, m.rewrite) : [];
      db.pragma(`user_version = ${m.version}`);
      return found;
    })();
    findings.forEach(onFinding); // only once committed
  }
}

function rewriteRows(db: Db, rewrite: RowRewrite): readonly MigrationFinding[] {
  const { updates, findings } = rewrite.plan(db.prepare(rewrite.select).all() as Record<string, unknown>[]);
  const update = db.prepare(rewrite.update);
  for (const params of updates) update.run(...params);
  return findings;
}
