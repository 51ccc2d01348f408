import { ClientNameTakenError, type ServiceClient, type ServiceClientStore } from '../service-client-store.js';
import { isUniqueViolation, type Pool } from '../../../lib/postgres/pool.js';
import { toClient, type ClientRow } from '../rows.js';


/** All SQL about service clients (PostgreSQL). */
export class PgServiceClientStore implements ServiceClientStore {
  constructor(private readonly pool: Pool) {}

  async create(c: Omit<ServiceClient, 'revokedAt'>): Promise<void> {
    try {
      await this.pool.query(
        'INSERT INTO service_clients (id, name, secret_hash, scopes, audiences, session_id, created_at) VALUES ($1, $2, $3, $4, $5, $6, $7)',
        [c.id, c.name, c.secretHash, c.scopes.join(' '), c.audiences.join(' '), c.sessionId, c.createdAt],
      );
    } catch (err) {
      if (isUniqueViolation(err)) throw new ClientNameTakenError(c.name);
      throw err;
    }
  }

  async findById(id: string): Promise<ServiceClient | undefined> {
    return this.one('SELECT * FROM service_clients WHERE id = $1', id);
  }

  async findByName(name: string): Promise<ServiceClient | undefined> {
    return this.one('SELECT * FROM service_clients WHERE name = $1', name);
  }

  async list(): Promise<ServiceClient[]> {
    const { rows } = await this.pool.query<ClientRow>('SELECT * FROM service_clients ORDER BY created_at');
    return rows.map(toClient);
  }

  async replaceSecret(id: string, secretHash: string): Promise<boolean> {
    const res = await this.pool.query('UPDATE service_clients SET secret_hash = $1 WHERE id = $2 AND revoked_at IS NULL', [secretHash, id]);
    return res.rowCount === 1;
  }

  async markRevoked(id: string, now: number): Promise<boolean> {
    const res = await this.pool.query('UPDATE service_clients SET revoked_at = $1 WHERE id = $2 AND revoked_at IS NULL', [now, id]);
    return res.rowCount === 1;
  }

  private async one(sql: string, param: string): Promise<ServiceClient | undefined> {
    const { rows } = await this.pool.query<ClientRow>(sql, [param]);
    return rows[0] && toClient(rows[0]);
  }
}

