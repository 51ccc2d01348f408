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

export class EmailTakenError extends Error {
  constructor() {
    super('email already registered');
  }
}

export function normalizeEmail(email: string): string {
  return email.trim().normalize('NFC').toLowerCase();
}

/** Accounts. Emails are unique after `normalizeEmail` (create throws EmailTakenError). */
export interface UserStore {
  create(u: NewUser, now?: number): Promise<User>;
  findByEmail(email: string): Promise<User | undefined>;
  findById(id: string): Promise<User | undefined>;
  setPasswordHash(id: string, hash: string, now?: number): Promise<void>;
  setAccess(id: string, roles: readonly string[], disabled: boolean, now?: number): Promise<void>;
}
