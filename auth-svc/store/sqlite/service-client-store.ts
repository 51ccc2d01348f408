import type { Db } from '../../lib/sqlite/database.js';

export interface ServiceClient {
  readonly id: string;
  readonly name: string;
  readonly secretHash: string;
  readonly scopes: readonly string[];
  /** The `sid` of every token the client gets; revoking the client revokes them. */
  readonly sessionId: string;
  readonly createdAt: number;
  readonly revokedAt: number | null;
}

interface ClientRow {
  id: string;
  name: string;
  secret_hash: string;
  scopes: string;
  session_id: string;
  created_at: number;
  revoked_at: number | null;
}

export class ClientNameTakenError extends Error {
  constructor(name: string) {
    super(`a service client named "${name}" already exists`);
  }
}

/** All SQL about service clients (client-credentials callers). */
export class ServiceClientStore {
  private readonly insert;
  private readonly byId;
  private readonly byName;
  private readonly all;
  private readonly setSecret;
  private readonly revoke;

  constructor(db: Db) {
    this.insert = db.prepare(
      `INSERT INTO service_clients (id, name, secret_hash, scopes, session_id, created_at)
       VALUES (@id, @name, @secretHash, @scopes, @sessionId, @createdAt)`,
    );
    this.byId = db.prepare<[string], ClientRow>('SELECT * FROM service_clients WHERE id = ?');
    this.byName = db.prepare<[string], ClientRow>('SELECT * FROM service_clients WHERE name = ?');
    this.all = db.prepare<[], ClientRow>('SELECT * FROM service_clients ORDER BY created_at');
    this.setSecret = db.prepare('UPDATE service_clients SET secret_hash = ? WHERE id = ? AND revoked_at IS NULL');
    this.revoke = db.prepare('UPDATE service_clients SET revoked_at = ? WHERE id = ? AND revoked_at IS NULL');
  }

  create(c: Omit<ServiceClient, 'revokedAt'>): void {
    try {
      this.insert.run({ ...c, scopes: c.scopes.join(' ') });
    } catch (err) {
      if ((err as { code?: string }).code === 'SQLITE_CONSTRAINT_UNIQUE') throw new ClientNameTakenError(c.name);
      throw err;
    }
  }

  findById(id: string): ServiceClient | undefined {
    const r = this.byId.get(id);
    return r && toClient(r);
  }

  findByName(name: string): ServiceClient | undefined {
    const r = this.byName.get(name);
    return r && toClient(r);
  }

  list(): ServiceClient[] {
    return this.all.all().map(toClient);
  }

  replaceSecret(id: string, secretHash: string): boolean {
    return this.setSecret.run(secretHash, id).changes === 1;
  }

  markRevoked(id: string, now: number): boolean {
    return this.revoke.run(now, id).changes === 1;
  }
}

function toClient(r: ClientRow): ServiceClient {
  return {
    id: r.id,
    name: r.name,
    secretHash: r.secret_hash,
    scopes: r.scopes.split(' ').filter(Boolean),
    sessionId: r.session_id,
    createdAt: r.created_at,
    revokedAt: r.revoked_at,
  };
}
