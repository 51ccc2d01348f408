import type { Db } from '../../../lib/sqlite/database.js';
import { ClientNameTakenError, type ServiceClient, type ServiceClientStore } from '../service-client-store.js';
import { toClient, type ClientRow } from '../rows.js';


/** All SQL about service clients (SQLite). */
export class SqliteServiceClientStore implements ServiceClientStore {
  private readonly insert;
  private readonly byId;
  private readonly byName;
  private readonly all;
  private readonly setSecret;
  private readonly revoke;

  constructor(db: Db) {
    this.insert = db.prepare(
      `INSERT INTO service_clients (id, name, secret_hash, scopes, audiences, session_id, created_at)
       VALUES (@id, @name, @secretHash, @scopes, @audiences, @sessionId, @createdAt)`,
    );
    this.byId = db.prepare<[string], ClientRow>('SELECT * FROM service_clients WHERE id = ?');
    this.byName = db.prepare<[string], ClientRow>('SELECT * FROM service_clients WHERE name = ?');
    this.all = db.prepare<[], ClientRow>('SELECT * FROM service_clients ORDER BY created_at');
    this.setSecret = db.prepare('UPDATE service_clients SET secret_hash = ? WHERE id = ? AND revoked_at IS NULL');
    this.revoke = db.prepare('UPDATE service_clients SET revoked_at = ? WHERE id = ? AND revoked_at IS NULL');
  }

  async create(c: Omit<ServiceClient, 'revokedAt'>): Promise<void> {
    try {
      this.insert.run({ ...c, scopes: c.scopes.join(' '), audiences: c.audiences.join(' ') });
    } catch (err) {
      if ((err as { code?: string }).code === 'SQLITE_CONSTRAINT_UNIQUE') throw new ClientNameTakenError(c.name);
      throw err;
    }
  }

  async findById(id: string): Promise<ServiceClient | undefined> {
    const r = this.byId.get(id);
    return r && toClient(r);
  }

  async findByName(name: string): Promise<ServiceClient | undefined> {
    const r = this.byName.get(name);
    return r && toClient(r);
  }

  async list(): Promise<ServiceClient[]> {
    return this.all.all().map(toClient);
  }

  async replaceSecret(id: string, secretHash: string): Promise<boolean> {
    return this.setSecret.run(secretHash, id).changes === 1;
  }

  async markRevoked(id: string, now: number): Promise<boolean> {
    return this.revoke.run(now, id).changes === 1;
  }
}

