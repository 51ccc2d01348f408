import { ROLES, roleNamesProblem } from '../../lib/authn/roles.js';
import type { Logger } from '../../lib/log/logger.js';
import { revokeSessionsOf } from '../sessions/revoke-sessions.js';
import type { Revoker } from '../sessions/revoker.js';
import type { SessionStore } from '../store/session-store.js';
import { normalizeEmail, type User, type UserStore } from '../store/user-store.js';

/** Who acts: a signed-in administrator (AdminService) or an operator at the database (`npm run users`). */
export type AdminActor = { readonly kind: 'user'; readonly id: string } | { readonly kind: 'cli'; readonly name: string };

/** A refused admin action; `kind` picks the gRPC status, `message` is safe to show. */
export class AdminRefusal extends Error {
  constructor(
    readonly kind: 'not_found' | 'invalid' | 'precondition',
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
 * stream), enable. Each action writes one audit line: who, what, which account, never
 * a secret. An administrator cannot disable themselves or drop their own admin role
 * (that could leave nobody able to undo it); the command at the database can.
 */
export class UserAdmin {
  constructor(private readonly o: UserAdminDeps) {}

  /** One page in email order; `next` is the position to resume from, undefined at the end. */
  async list(actor: AdminActor, q: { emailPrefix: string; after: string | undefined; limit: number }): Promise<{ users: User[]; next: string | undefined }> {
    const rows = await this.o.users.list({ prefix: normalizeEmail(q.emailPrefix), after: q.after, limit: q.limit + 1 });
    const users = rows.slice(0, q.limit);
    this.audit(actor, 'user.list', undefined, { returned: users.length });
    return { users, next: rows.length > q.limit ? normalizeEmail(users[users.length - 1]!.email) : undefined };
  }

  /** By id (UUID) or email. */
  async find(idOrEmail: string): Promise<User> {
    const user = idOrEmail.includes('@') ? await this.o.users.findByEmail(idOrEmail) : await this.o.users.findById(idOrEmail);
    if (!user) throw new AdminRefusal('not_found', 'user not found');
    return user;
  }

  async setRoles(actor: AdminActor, target: string, requested: readonly string[]): Promise<User> {
    const roles = [...new Set(requested.map((r) => r.trim()).filter(Boolean))];
    const problem = roles.length > MAX_ROLES ? `at most ${MAX_ROLES} roles` : roleNamesProblem(roles);
    if (problem) throw new AdminRefusal('invalid', problem);
    const user = await this.find(target);
    if (isSelf(actor, user) && user.roles.includes(ROLES.admin) && !roles.includes(ROLES.admin)) {
      throw new AdminRefusal('precondition', 'you cannot remove your own admin role; ask another administrator');
    }
    await this.o.users.setRoles(user.id, roles, this.now());
    this.audit(actor, 'user.set_roles', user, { roles, previousRoles: user.roles });
    return { ...user, roles };
  }

  /** Refuses logins and refreshes from now on, and revokes every session (again, if already disabled). */
  async disable(actor: AdminActor, target: string): Promise<{ user: User; revokedSessions: number }> {
    const user = await this.find(target);
    if (isSelf(actor, user)) throw new AdminRefusal('precondition', 'you cannot disable your own account');
    // Disabled first: a refresh racing with this finds the flag, or its new token lands in a session revoked below.
    await this.o.users.setDisabled(user.id, true, this.now());
    const revokedSessions = await revokeSessionsOf(this.o, user.id, 'account disabled', this.now());
    this.audit(actor, 'user.disable', user, { revokedSessions });
    return { user: { ...user, disabled: true }, revokedSessions };
  }

  async enable(actor: AdminActor, target: string): Promise<User> {
    const user = await this.find(target);
    await this.o.users.setDisabled(user.id, false, this.now());
    this.audit(actor, 'user.enable', user, {});
    return { ...user, disabled: false };
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
