import { randomUUID } from 'node:crypto';
import type { Db } from '../../lib/sqlite/database.js';

export interface User {
  readonly id: string;
  readonly email: string;
  readonly passwordHash: string;
  readonly displayName: string;
  readonly roles: readonly string[];
  readonly disabled: boolean;
  readonly createdAt: number;
  readonly updatedAt: number;
}

export interface NewUser {
  readonly email: string;
  readonly passwordHash: string;
  readonly displayName: string;
  readonly roles?: readonly string[];
}

interface UserRow {
  id: string;
  email: string;
  password_hash: string;
  display_name: string;
  roles: string;
  disabled: number;
  created_at: number;
  updated_at: number;
}

export class EmailTakenError extends Error {
  constructor() {
    super('email already registered');
  }
}

export function normalizeEmail(email: string): string {
  return email.trim().normalize('NFC').toLowerCase();
}

/** All SQL about users lives here. */
export class UserStore {
  private readonly insert;
  private readonly byEmail;
  private readonly byId;
  private readonly updateHash;
  private readonly updateFlags;

  constructor(private readonly db: Db) {
    this.insert = db.prepare(
      `INSERT INTO users (id, email, email_normalized, password_hash, display_name, roles, created_at, updated_at)
       VALUES (@id, @email, @normalized, @hash, @name, @roles, @now, @now)`,
    );
    this.byEmail = db.prepare<[string], UserRow>('SELECT * FROM users WHERE email_normalized = ?');
    this.byId = db.prepare<[string], UserRow>('SELECT * FROM users WHERE id = ?');
    this.updateHash = db.prepare('UPDATE users SET password_hash = ?, updated_at = ? WHERE id = ?');
    this.updateFlags = db.prepare('UPDATE users SET roles = ?, disabled = ?, updated_at = ? WHERE id = ?');
  }

  create(u: NewUser, now = Date.now()): User {
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
    return this.findById(id)!;
  }

  findByEmail(email: string): User | undefined {
    const row = this.byEmail.get(normalizeEmail(email));
    return row && toUser(row);
  }

  findById(id: string): User | undefined {
    const row = this.byId.get(id);
    return row && toUser(row);
  }

  setPasswordHash(id: string, hash: string, now = Date.now()): void {
    this.updateHash.run(hash, now, id);
  }

  setAccess(id: string, roles: readonly string[], disabled: boolean, now = Date.now()): void {
    this.updateFlags.run(JSON.stringify(roles), disabled ? 1 : 0, now, id);
  }
}

function toUser(r: UserRow): User {
  return {
    id: r.id,
    email: r.email,
    passwordHash: r.password_hash,
    displayName: r.display_name,
    roles: JSON.parse(r.roles) as string[],
    disabled: r.disabled === 1,
    createdAt: r.created_at,
    updatedAt: r.updated_at,
  };
}
