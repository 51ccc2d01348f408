import { randomUUID } from 'node:crypto';
import { EmailTakenError, normalizeEmail, type NewUser, type User, type UserStore } from '../user-store.js';
import { isUniqueViolation, type Pool } from '../../../lib/postgres/pool.js';
import { toUser, type UserRow } from '../rows.js';


/** All SQL about users (PostgreSQL). */
export class PgUserStore implements UserStore {
  constructor(private readonly pool: Pool) {}

  async create(u: NewUser, now = Date.now()): Promise<User> {
    try {
      const { rows } = await this.pool.query<UserRow>(
        `INSERT INTO users (id, email, email_normalized, password_hash, display_name, roles, created_at, updated_at)
         VALUES ($1, $2, $3, $4, $5, $6, $7, $7) RETURNING *`,
        [randomUUID(), u.email.trim(), normalizeEmail(u.email), u.passwordHash, u.displayName, JSON.stringify(u.roles ?? ['user']), now],
      );
      return toUser(rows[0]!);
    } catch (err) {
      if (isUniqueViolation(err)) throw new EmailTakenError();
      throw err;
    }
  }

  async findByEmail(email: string): Promise<User | undefined> {
    return this.one('SELECT * FROM users WHERE email_normalized = $1', normalizeEmail(email));
  }

  async findById(id: string): Promise<User | undefined> {
    return this.one('SELECT * FROM users WHERE id = $1', id);
  }

  async setPasswordHash(id: string, hash: string, now = Date.now()): Promise<void> {
    await this.pool.query('UPDATE users SET password_hash = $1, updated_at = $2 WHERE id = $3', [hash, now, id]);
  }

  async setAccess(id: string, roles: readonly string[], disabled: boolean, now = Date.now()): Promise<void> {
    await this.pool.query('UPDATE users SET roles = $1, disabled = $2, updated_at = $3 WHERE id = $4', [JSON.stringify(roles), disabled, now, id]);
  }

  private async one(sql: string, param: string): Promise<User | undefined> {
    const { rows } = await this.pool.query<UserRow>(sql, [param]);
    return rows[0] && toUser(rows[0]);
  }
}

