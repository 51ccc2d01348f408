import type { Db } from '../../lib/sqlite/database.js';

export interface StoredKey {
  readonly kid: string;
  readonly alg: string;
  readonly privatePem: string;
  readonly createdAt: number;
  readonly activeFrom: number;
  readonly retiredAt: number | null;
}

interface KeyRow {
  kid: string;
  alg: string;
  private_pem: string;
  created_at: number;
  active_from: number;
  retired_at: number | null;
}

/** All SQL about signing keys. */
export class KeyStore {
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

  list(): StoredKey[] {
    return this.all.all().map((r) => ({
      kid: r.kid,
      alg: r.alg,
      privatePem: r.private_pem,
      createdAt: r.created_at,
      activeFrom: r.active_from,
      retiredAt: r.retired_at,
    }));
  }

  /** Adds a key that signs from `activeFrom`; every older key stops signing then. */
  addAndSupersede(key: Omit<StoredKey, 'retiredAt'>): void {
    this.db.transaction(() => {
      this.insert.run(key);
      this.retire.run(key.activeFrom, key.kid);
    })();
  }

  /** Deletes keys retired before `cutoff` (no token they signed can still be valid). */
  deleteRetiredBefore(cutoff: number): number {
    return this.purge.run(cutoff).changes;
  }

  /** Changes whenever a key is added or deleted: cheap to poll. */
  fingerprint(): string {
    const v = this.version.get()!;
    return `${v.n}:${v.latest ?? 0}`;
  }
}
