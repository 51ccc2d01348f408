import type { KeyStore, StoredKey } from '../key-store.js';
import { withTransaction, type Pool } from '../../../lib/postgres/pool.js';
import { toKey, type KeyRow } from '../rows.js';


/** All SQL about signing keys (PostgreSQL). Every write NOTIFYs keys_changed (a trigger). */
export class PgKeyStore implements KeyStore {
  constructor(private readonly pool: Pool) {}

  async list(): Promise<StoredKey[]> {
    const { rows } = await this.pool.query<KeyRow>('SELECT * FROM signing_keys ORDER BY active_from DESC');
    return rows.map(toKey);
  }

  async addAndSupersede(key: Omit<StoredKey, 'retiredAt'>): Promise<void> {
    await withTransaction(this.pool, async (tx) => {
      await tx.query('INSERT INTO signing_keys (kid, alg, private_pem, created_at, active_from) VALUES ($1, $2, $3, $4, $5)', [
        key.kid,
        key.alg,
        key.privatePem,
        key.createdAt,
        key.activeFrom,
      ]);
      await tx.query('UPDATE signing_keys SET retired_at = $1 WHERE retired_at IS NULL AND kid <> $2', [key.activeFrom, key.kid]);
    });
  }

  async deleteRetiredBefore(cutoff: number): Promise<number> {
    const res = await this.pool.query('DELETE FROM signing_keys WHERE retired_at IS NOT NULL AND retired_at < $1', [cutoff]);
    return res.rowCount ?? 0;
  }

  async fingerprint(): Promise<string> {
    const { rows } = await this.pool.query<{ n: number; latest: number | null }>(
      'SELECT count(*) AS n, max(created_at) AS latest FROM signing_keys',
    );
    return `${rows[0]!.n}:${rows[0]!.latest ?? 0}`;
  }
}
