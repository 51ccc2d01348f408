import { randomUUID } from 'node:crypto';
import { EmailTakenError, normalizeEmail, type NewUser, type User, type UserQuery, type UserStore } from '../user-store.js';
import { isUniqueViolation, type Pool } from '../../../lib/postgres/pool.js';
import { toUser, type UserRow } from '../rows.js';

/** All SQL about users (PostgreSQL). */
export class PgUserStore implements UserStore {
  constructor(private readonly pool: Pool) {}

  async create(u: NewUser, now = Date.now()): Promise<User> {
    const { rows } = await uniqueEmail(() =>
      this.pool.query<UserRow>(
        `INSERT INTO users (id, email, email_normalized, password_hash, display_name, roles, created_at, updated_at)
         VALUES ($1, $2, $3, $4, $5, $6, $7, $7) RETURNING *`,
        [randomUUID(), u.email.trim(), normalizeEmail(u.email), u.passwordHash, u.displayName, JSON.stringify(u.roles ?? ['user']), now],
      ),
    );
    return toUser(rows[0]!);
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

  async list(q: UserQuery): Promise<User[]> {
    // COLLATE "C": byte order, as SQLite compares, whatever the database's locale.
    const { rows } = await this.pool.query<UserRow>(
      `SELECT * FROM users WHERE substr(email_normalized, 1, length($1)) = $1 AND email_normalized COLLATE "C" > $2
       ORDER BY email_normalized COLLATE "C" LIMIT $3`,
      [q.prefix, q.after ?? '', q.limit],
    );
    return rows.map(toUser);
  }

  async setRoles(id: string, roles: readonly string[], now = Date.now()): Promise<boolean> {
    const { rowCount } = await this.pool.query('UPDATE users SET roles = $1, updated_at = $2 WHERE id = $3', [JSON.stringify(roles), now, id]);
    return rowCount === 1;
  }

  async setDisabled(id: string, disabled: boolean, now = Date.now()): Promise<boolean> {
    const { rowCount } = await this.pool.query('UPDATE users SET disabled = $1, updated_at = $2 WHERE id = $3', [disabled, now, id]);
    return rowCount === 1;
  }

  async setEmail(id: string, email: string, now = Date.now()): Promise<boolean> {
    const { rowCount } = await uniqueEmail(() =>
      this.pool.query('UPDATE users SET email = $1, email_normalized = $2, updated_at = $3 WHERE id = $4', [email.trim(), normalizeEmail(email), now, id]),
    );
    return rowCount === 1;
  }

  private async one(sql: string, param: string): Promise<User | undefined> {
    const { rows } = await this.pool.query<UserRow>(sql, [param]);
    return rows[0] && toUser(rows[0]);
  }
}

/** Runs a write of an email; another account's holding it becomes EmailTakenError. */
async function uniqueEmail<T>(write: () => Promise<T>): Promise<T> {
  try {
    return await write();
  } catch (err) {
    if (isUniqueViolation(err)) throw new EmailTakenError();
    throw err;
  }
}
