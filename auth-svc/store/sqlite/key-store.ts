import type { Db } from '../../../lib/sqlite/database.js';
import type { KeyStore, StoredKey } from '../key-store.js';
import { toKey, type KeyRow } from '../rows.js';


/** All SQL about signing keys (SQLite). */
export class SqliteKeyStore implements KeyStore {
  private readonly all;
  private readonly insert;
  private readonly retire;
  private readonly purge;
  private readonly version;

  constructor(private readonly db: Db) {
    this.all = db.prepare<[], KeyRow>('SELECT * FROM signing_keys ORDER BY active_from DESC');
    this.insert = db.prepare(
      `INSERT INTO signing_keys (kid, alg, private_pem, created_at, active_from)
       VALUES (@kid, @alg, @privatePem, @createdAt, @activeFrom)`,
    );
    this.retire = db.prepare('UPDATE signing_keys SET retired_at = ? WHERE retired_at IS NULL AND kid <> ?');
    this.purge = db.prepare('DELETE FROM signing_keys WHERE retired_at IS NOT NULL AND retired_at < ?');
    this.version = db.prepare<[], { n: number; latest: number | null }>(
      'SELECT count(*) AS n, max(created_at) AS latest FROM signing_keys',
    );
  }

  async list(): Promise<StoredKey[]> {
    return this.all.all().map(toKey);
  }

  async addAndSupersede(key: Omit<StoredKey, 'retiredAt'>): Promise<void> {
    this.db.transaction(() => {
      this.insert.run(key);
      this.retire.run(key.activeFrom, key.kid);
    })();
  }

  async deleteRetiredBefore(cutoff: number): Promise<number> {
    return this.purge.run(cutoff).changes;
  }

  async fingerprint(): Promise<string> {
    const v = this.version.get()!;
    return `${v.n}:${v.latest ?? 0}`;
  }
}
