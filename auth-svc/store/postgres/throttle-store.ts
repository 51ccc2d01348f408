import { withTransaction, type Pool } from '../../../lib/postgres/pool.js';
import { lockOrder, ThrottleSnapshot, type ThrottleRows, type ThrottleStore } from '../throttle-store.js';

/**
 * Throttle states in the PostgreSQL database every replica shares. A decision's first statement
 * inserts any missing row (empty: value NULL, already expired) and locks them all, existing or
 * new, in one fixed order (INSERT … ON CONFLICT DO UPDATE … RETURNING); a replica deciding about
 * the same keys meanwhile waits for the commit and then reads this one's result.
 */
export class PgThrottleStore implements ThrottleStore {
  constructor(private readonly pool: Pool) {}

  async update<R>(keys: readonly string[], now: number, decide: (rows: ThrottleRows) => R): Promise<R> {
    const ordered = lockOrder(keys);
    return withTransaction(this.pool, async (tx) => {
      const { rows } = await tx.query<{ key: string; value: string | null; expires_at: number }>(
        `INSERT INTO throttle_state (key, value, expires_at)
           SELECT k, NULL, 0 FROM unnest($1::text[]) WITH ORDINALITY AS u(k, n) ORDER BY n
         ON CONFLICT (key) DO UPDATE SET key = EXCLUDED.key
         RETURNING key, value, expires_at`,
        [ordered],
      );
      const stored = new Map<string, string>();
      for (const row of rows) if (row.value !== null && row.expires_at > now) stored.set(row.key, row.value);
      const snapshot = new ThrottleSnapshot(ordered, stored);
      const result = decide(snapshot);
      if (snapshot.writes.size > 0) {
        // A deleted state becomes an expired empty row: gone for readers now, for the table at the next purge.
        const changed = [...snapshot.writes];
        await tx.query(
          `UPDATE throttle_state AS t SET value = w.value, expires_at = w.expires_at
             FROM unnest($1::text[], $2::text[], $3::bigint[]) AS w(key, value, expires_at) WHERE t.key = w.key`,
          [changed.map(([k]) => k), changed.map(([, w]) => w?.value ?? null), changed.map(([, w]) => w?.expiresAt ?? 0)],
        );
      }
      return result;
    });
  }

  async purgeExpired(now: number): Promise<number> {
    const res = await this.pool.query('DELETE FROM throttle_state WHERE expires_at <= $1', [now]);
    return res.rowCount ?? 0;
  }
}
