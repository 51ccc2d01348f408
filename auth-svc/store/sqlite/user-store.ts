import { randomUUID } from 'node:crypto';
import type { Db } from '../../../lib/sqlite/database.js';
import { EmailTakenError, normalizeEmail, type NewUser, type User, type UserQuery, type UserStore } from '../user-store.js';
import { toUser, type UserRow } from '../rows.js';

/** All SQL about users (SQLite). */
export class SqliteUserStore implements UserStore {
  private readonly insert;
  private readonly byEmail;
  private readonly byId;
  private readonly updateHash;
  private readonly updateRoles;
  private readonly updateDisabled;
  private readonly updateEmail;
  private readonly page;

  constructor(db: Db) {
    this.insert = db.prepare(
      `INSERT INTO users (id, email, email_normalized, password_hash, display_name, roles, created_at, updated_at)
       VALUES (@id, @email, @normalized, @hash, @name, @roles, @now, @now)`,
    );
    this.byEmail = db.prepare<[string], UserRow>('SELECT * FROM users WHERE email_normalized = ?');
    this.byId = db.prepare<[string], UserRow>('SELECT * FROM users WHERE id = ?');
    this.updateHash = db.prepare('UPDATE users SET password_hash = ?, updated_at = ? WHERE id = ?');
    this.updateRoles = db.prepare('UPDATE users SET roles = ?, updated_at = ? WHERE id = ?');
    this.updateDisabled = db.prepare('UPDATE users SET disabled = ?, updated_at = ? WHERE id = ?');
    this.updateEmail = db.prepare('UPDATE users SET email = ?, email_normalized = ?, updated_at = ? WHERE id = ?');
    // substr, not LIKE: a prefix holding % or _ needs no escaping.
    this.page = db.prepare<[{ prefix: string; after: string; limit: number }], UserRow>(
      `SELECT * FROM users WHERE substr(email_normalized, 1, length(@prefix)) = @prefix AND email_normalized > @after
       ORDER BY email_normalized LIMIT @limit`,
    );
  }

  async create(u: NewUser, now = Date.now()): Promise<User> {
    const id = randomUUID();
    uniqueEmail(() =>
      this.insert.run({
        id,
        email: u.email.trim(),
        normalized: normalizeEmail(u.email),
        hash: u.passwordHash,
        name: u.displayName,
        roles: JSON.stringify(u.roles ?? ['user']),
        now,
      }),
    );
    return (await this.findById(id))!;
  }

  async findByEmail(email: string): Promise<User | undefined> {
    const row = this.byEmail.get(normalizeEmail(email));
    return row && toUser(row);
  }

  async findById(id: string): Promise<User | undefined> {
    const row = this.byId.get(id);
    return row && toUser(row);
  }

  async setPasswordHash(id: string, hash: string, now = Date.now()): Promise<void> {
    this.updateHash.run(hash, now, id);
  }

  async list(q: UserQuery): Promise<User[]> {
    return this.page.all({ prefix: q.prefix, after: q.after ?? '', limit: q.limit }).map(toUser);
  }

  async setRoles(id: string, roles: readonly string[], now = Date.now()): Promise<boolean> {
    return this.updateRoles.run(JSON.stringify(roles), now, id).changes === 1;
  }

  async setDisabled(id: string, disabled: boolean, now = Date.now()): Promise<boolean> {
    return this.updateDisabled.run(disabled ? 1 : 0, now, id).changes === 1;
  }

  async setEmail(id: string, email: string, now = Date.now()): Promise<boolean> {
    return uniqueEmail(() => this.updateEmail.run(email.trim(), normalizeEmail(email), now, id)).changes === 1;
  }
}

/** Runs a write of an email; another account's holding it becomes EmailTakenError. */
function uniqueEmail<T>(write: () => T): T {
  try {
    return write();
  } catch (err) {
    if ((err as { code?: string }).code === 'SQLITE_CONSTRAINT_UNIQUE') throw new EmailTakenError();
    throw err;
  }
}

