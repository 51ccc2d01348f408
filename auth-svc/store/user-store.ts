export interface User {
  readonly id: string;
  readonly email: string;
  readonly passwordHash: string;
  readonly displayName: string;
  readonly roles: readonly string[];
  readonly disabled: boolean;
  readonly createdAt: number;
  readonly updatedAt: number;
  /**
   * The stored lookup key (`email_normalized`): normalizeEmail(email), except for an account
   * whose key a later, stricter canonical form made collide with an older one's (see
   * email-rekey.ts). Pages of accounts are ordered and resumed by it.
   */
  readonly emailKey: string;
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

/** The uniqueness and lookup key of an email (see canonicalEmail). */
export { canonicalEmail as normalizeEmail } from '../users/email-address.js';

/** One page of accounts in `email_normalized` order (a unique key, so pages never overlap). */
export interface UserQuery {
  /** Only emails whose normalized form starts with this (already normalized); '' = all. */
  readonly prefix: string;
  /** The normalized email of the previous page's last account; undefined = from the start. */
  readonly after: string | undefined;
  readonly limit: number;
}

/** Accounts. Emails are unique after `normalizeEmail` (create throws EmailTakenError). */
export interface UserStore {
  create(u: NewUser, now?: number): Promise<User>;
  findByEmail(email: string): Promise<User | undefined>;
  findById(id: string): Promise<User | undefined>;
  list(query: UserQuery): Promise<User[]>;
  setPasswordHash(id: string, hash: string, now?: number): Promise<void>;
  /** Each flag on its own, so a role change and a disable at once cannot undo each other. False when there is no such user. */
  setRoles(id: string, roles: readonly string[], now?: number): Promise<boolean>;
  setDisabled(id: string, disabled: boolean, now?: number): Promise<boolean>;
  /** A new email and lookup key; throws EmailTakenError when another account holds it. False when there is no such user. */
  setEmail(id: string, email: string, now?: number): Promise<boolean>;
}
