import type { FindingListener, Migration, MigrationFinding } from '../sqlite/database.js';
import { createPool, withConnection, withTransaction, type Pool } from './pool.js';

/** Any constant works; it only has to be the same in every replica (advisory locks are per database). */
const MIGRATION_LOCK = 4_270_051;

/**
 * Applies pending migrations, each in its own transaction, recorded in schema_migrations.
 * Replicas starting together take turns (advisory lock), so each migration runs once.
 * Versions start at 1 and never change once released (as for SQLite).
 */
export async function migratePostgres(pool: Pool, migrations: readonly Migration[], onFinding: FindingListener = () => {}): Promise<void> {
  await withConnection(pool, async (lock) => {
    await lock.query('SELECT pg_advisory_lock($1)', [MIGRATION_LOCK]);
    try {
      await lock.query(
        'CREATE TABLE IF NOT EXISTS schema_migrations (version INTEGER PRIMARY KEY, name TEXT NOT NULL, applied_at BIGINT NOT NULL)',
      );
      const { rows } = await lock.query<{ v: number | null }>('SELECT max(version) AS v FROM schema_migrations');
      const current = rows[0]?.v ?? 0;
      const latest = migrations.reduce((max, m) => Math.max(max, m.version), 0);
      if (current > latest) throw new Error(`database schema version ${current} is newer than this build knows (${latest})`);
      for (const m of [...migrations].sort((a, b) => a.version - b.version)) {
        if (m.version <= current) continue;
        let findings: readonly MigrationFinding[] = [];
        await withTransaction(pool, async (tx) => {
          if (m.sql.trim() !== '') await tx.query(m.sql);
          if (m.rewrite) {
            const plan = m.rewrite.plan((await tx.query<Record<string, unknown>>(m.rewrite.select)).rows);
            for (const params of plan.updates) await tx.query(m.rewrite.update, params as unknown[]);
            findings = plan.findings;
          }
          await tx.query('INSERT INTO schema_migrations (version, name, applied_at) VALUES ($1, $2, $3)', [m.version, m.name, Date.now()]);
        });
        findings.forEach(onFinding); // only once committed
      }
    } finally {
      await lock.query('SELECT pg_advisory_unlock($1)', [MIGRATION_LOCK]).catch(() => {});
    }
  });
}

/**
 * Opens a pool and migrates; on failure the pool is closed before the error is rethrown.
 * `onError` hears errors of idle connections.
 */
export async function openMigratedPool(url: string, migrations: readonly Migration[], onError: (err: Error) => void, onFinding?: FindingListener): Promise<Pool> {
  const pool = createPool(url, onError);
  try {
    await migratePostgres(pool, migrations, onFinding);
  } catch (err) {
    await pool.end().catch(() => {});
    throw err;
  }
  return pool;
}
