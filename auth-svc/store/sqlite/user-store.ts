import { randomUUID } from 'node:crypto';
import type { Db } from '../../../lib/sqlite/database.js';
import { EmailTakenError, normalizeEmail, type NewUser, type User, type UserStore } from '../user-store.js';
import { toUser, type UserRow } from '../rows.js';


/** All SQL about users (SQLite). */
export class SqliteUserStore implements UserStore {
  private readonly insert;
  private readonly byEmail;
  private readonly byId;
  private readonly updateHash;
  private readonly updateFlags;

  constructor(db: Db) {
    this.insert = db.prepare(
      `INSERT INTO users (id, email, email_normalized, password_hash, display_name, roles, created_at, updated_at)
       VALUES (@id, @email, @normalized, @hash, @name, @roles, @now, @now)`,
    );
    this.byEmail = db.prepare<[string], UserRow>('SELECT * FROM users WHERE email_normalized = ?');
    this.byId = db.prepare<[string], UserRow>('SELECT * FROM users WHERE id = ?');
    this.updateHash = db.prepare('UPDATE users SET password_hash = ?, updated_at = ? WHERE id = ?');
    this.updateFlags = db.prepare('UPDATE users SET roles = ?, disabled = ?, updated_at = ? WHERE id = ?');
  }

  async create(u: NewUser, now = Date.now()): Promise<User> {
    const id = randomUUID();
    try {
      this.insert.run({
        id,
        email: u.email.trim(),
        normalized: normalizeEmail(u.email),
        hash: u.passwordHash,
        name: u.displayName,
        roles: JSON.stringify(u.roles ?? ['user']),
        now,
      });
    } catch (err) {
      if ((err as { code?: string }).code === 'SQLITE_CONSTRAINT_UNIQUE') throw new EmailTakenError();
      throw err;
    }
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

  async setAccess(id: string, roles: readonly string[], disabled: boolean, now = Date.now()): Promise<void> {
    this.updateFlags.run(JSON.stringify(roles), disabled ? 1 : 0, now, id);
  }
}

