import { ROLES, roleNamesProblem } from '../../lib/authn/roles.js';
import type { Logger } from '../../lib/log/logger.js';
import { isUuid } from '../../lib/text/text-rules.js';
import { revokeSessionsOf } from '../sessions/revoke-sessions.js';
import type { Revoker } from '../sessions/revoker.js';
import type { SessionStore } from '../store/session-store.js';
import { EmailTakenError, normalizeEmail, type User, type UserStore } from '../store/user-store.js';
import { emailAddressProblem } from './email-address.js';

/** Who acts: a signed-in administrator (AdminService) or an operator at the database (`npm run users`). */
export type AdminActor = { readonly kind: 'user'; readonly id: string } | { readonly kind: 'cli'; readonly name: string };

/** A refused admin action; `kind` picks the gRPC status, `message` is safe to show. */
export class AdminRefusal extends Error {
  constructor(
    readonly kind: 'not_found' | 'invalid' | 'precondition' | 'denied' | 'exists',
    message: string,
  ) {
    super(message);
    this.name = 'AdminRefusal';
  }
}

export interface UserAdminDeps {
  readonly users: UserStore;
  readonly sessions: SessionStore;
  readonly revoker: Revoker;
  /** Audit lines go here (info, `event: "audit"`). */
  readonly log: Logger;
  readonly now?: () => number;
}

/** More roles than this on one account is a mistake, not a need. */
const MAX_ROLES = 16;

/**
 * User administration, shared by AdminService and the `users` command: list, set roles,
 * disable (which revokes every session, pushed to verifiers through the revocation
 * stream), enable, set email. Each action writes one audit line: who, what, which account, never
 * a secret. An administrator cannot disable themselves or drop their own admin role
 * (that could leave nobody able to undo it); the command at the database can.
 *
 * A signed-in administrator is judged by their roles in the store at each action, not by
 * the token's: a token issued before a demotion (or a disable) is refused here even before
 * its revocation reaches every verifier. Removing a role from someone revokes every session
 * they have (their tokens and refresh tokens carry the old roles), pushed to verifiers like
 * a disable; an added role reaches their tokens at the next login or refresh.
 */
export class UserAdmin {
  constructor(private readonly o: UserAdminDeps) {}

  /** One page in email order; `next` is the position to resume from, undefined at the end. */
  async list(actor: AdminActor, q: { emailPrefix: string; after: string | undefined; limit: number }): Promise<{ users: User[]; next: string | undefined }> {
    await this.requireAdmin(actor);
    const rows = await this.o.users.list({ prefix: normalizeEmail(q.emailPrefix), after: q.after, limit: q.limit + 1 });
    const users = rows.slice(0, q.limit);
    this.audit(actor, 'user.list', undefined, { returned: users.length });
    return { users, next: rows.length > q.limit ? users[users.length - 1]!.emailKey : undefined };
  }

  /** By id (UUID), or by what the account signs in with: its email, or `collision:<id>`. */
  async find(idOrEmail: string): Promise<User> {
    const user = isUuid(idOrEmail) ? await this.o.users.findById(idOrEmail) : await this.o.users.findByEmail(idOrEmail);
    if (!user) throw new AdminRefusal('not_found', 'user not found');
    return user;
  }

  /** Replaces the roles; when one is removed, every session of the user is revoked (`revokedSessions`). */
  async setRoles(actor: AdminActor, target: string, requested: readonly string[]): Promise<{ user: User; revokedSessions: number }> {
    await this.requireAdmin(actor);
    const roles = [...new Set(requested.map((r) => r.trim()).filter(Boolean))];
    const problem = roles.length > MAX_ROLES ? `at most ${MAX_ROLES} roles` : roleNamesProblem(roles);
    if (problem) throw new AdminRefusal('invalid', problem);
    const user = await this.find(target);
    if (isSelf(actor, user) && user.roles.includes(ROLES.admin) && !roles.includes(ROLES.admin)) {
      throw new AdminRefusal('precondition', 'you cannot remove your own admin role; ask another administrator');
    }
    // Roles first: a refresh racing with this reads the new ones, or its token lands in a session revoked below.
    await this.o.users.setRoles(user.id, roles, this.now());
    const removed = user.roles.filter((r) => !roles.includes(r));
    const revokedSessions = removed.length > 0 ? await revokeSessionsOf(this.o, user.id, 'roles removed', this.now()) : 0;
    this.audit(actor, 'user.set_roles', user, { roles, previousRoles: user.roles, revokedSessions });
    return { user: { ...user, roles }, revokedSessions };
  }

  /** Refuses logins and refreshes from now on, and revokes every session (again, if already disabled). */
  async disable(actor: AdminActor, target: string): Promise<{ user: User; revokedSessions: number }> {
    await this.requireAdmin(actor);
    const user = await this.find(target);
    if (isSelf(actor, user)) throw new AdminRefusal('precondition', 'you cannot disable your own account');
    // Disabled first: a refresh racing with this finds the flag, or its new token lands in a session revoked below.
    await this.o.users.setDisabled(user.id, true, this.now());
    const revokedSessions = await revokeSessionsOf(this.o, user.id, 'account disabled', this.now());
    this.audit(actor, 'user.disable', user, { revokedSessions });
    return { user: { ...user, disabled: true }, revokedSessions };
  }

  async enable(actor: AdminActor, target: string): Promise<User> {
    await this.requireAdmin(actor);
    const user = await this.find(target);
    await this.o.users.setDisabled(user.id, false, this.now());
    this.audit(actor, 'user.enable', user, {});
    return { ...user, disabled: false };
  }

  /**
   * Another sign-in email, under Register's rules: for instance for an account kept apart as
   * `collision:<id>` (see email-rekey.ts). Sessions are kept: tokens name the id, not the email.
   * The audit line names the account, never an address.
   */
  async setEmail(actor: AdminActor, target: string, requested: string): Promise<User> {
    await this.requireAdmin(actor);
    const email = requested.trim();
    const problem = emailAddressProblem(email);
    if (problem) throw new AdminRefusal('invalid', `email: ${problem}`);
    const user = await this.find(target);
    try {
      await this.o.users.setEmail(user.id, email, this.now());
    } catch (err) {
      if (err instanceof EmailTakenError) throw new AdminRefusal('exists', 'email is already registered to another account');
      throw err;
    }
    this.audit(actor, 'user.set_email', user, {});
    return (await this.o.users.findById(user.id)) ?? { ...user, email };
  }

  /**
   * A signed-in actor must be an enabled administrator now, in the store (the operator at the
   * database is trusted). Refused attempts are audited: a demoted admin trying anyway is news.
   */
  private async requireAdmin(actor: AdminActor): Promise<void> {
    if (actor.kind !== 'user') return;
    const self = await this.o.users.findById(actor.id);
    if (self && !self.disabled && self.roles.includes(ROLES.admin)) return;
    this.audit(actor, 'admin.refused', undefined, { reason: !self ? 'no such user' : self.disabled ? 'disabled' : 'not an admin' });
    throw new AdminRefusal('denied', 'this account is no longer an administrator');
  }

  private audit(actor: AdminActor, action: string, target: User | undefined, details: object): void {
    const who = actor.kind === 'user' ? `user:${actor.id}` : `cli:${actor.name}`;
    this.o.log.info({ event: 'audit', actor: who, action, target: target?.id, ...details }, 'admin action');
  }

  private now(): number {
    return this.o.now ? this.o.now() : Date.now();
  }
}

function isSelf(actor: AdminActor, user: User): boolean {
  return actor.kind === 'user' && actor.id === user.id;
}
