/**
 * `npm run users -- <command>`: user administration at the database, for the first
 * administrator and for operators (the same rules as auth.v1.AdminService, and the same
 * audit lines, on stderr). Run it where auth-svc's database lives, with the same
 * environment; a running auth-svc pushes the revocations of a disable within a second.
 *
 *   list [--prefix <email prefix>]        every account: email, id, roles, state
 *   set-roles <email> <role,role>         replaces the roles; removing one revokes every session everywhere
 *   disable <email>                       refuses logins and refreshes, revokes every session everywhere
 *   enable <email>                        lets the account sign in again
 *   set-email <email|id> <new email>      another sign-in email (e.g. for an account kept apart as collision:<id>)
 *
 * `--json` prints machine-readable output; `--create` allows a database that does not exist yet.
 */
import { userInfo } from 'node:os';
import { Revoker } from '../auth-svc/sessions/revoker.js';
import type { User } from '../auth-svc/store/user-store.js';
import { tokenAcceptanceWindowMs } from '../auth-svc/config.js';
import { UserAdmin, type AdminActor } from '../auth-svc/users/user-admin.js';
import { KNOWN_ROLES } from '../lib/authn/roles.js';
import { runAdminCommand } from './support/admin-command.js';

const USAGE = `usage: users list [--prefix <email prefix>] | set-roles <email> <role,role> | disable <email> | enable <email> | set-email <email|id> <new email> [--json] [--create]
roles: ${KNOWN_ROLES.join(', ')}`;

await runAdminCommand({ name: 'users', usage: USAGE, options: { prefix: { type: 'string', default: '' } } }, async ({ values, positionals, config, store, log, print }) => {
  // `target`: an email or id; `argument`: the roles of set-roles, the new email of set-email.
  const [command, target, argument] = positionals;
  const admin = new UserAdmin({ users: store.users, sessions: store.sessions, revoker: await Revoker.open(store.revocations, tokenAcceptanceWindowMs(config)), log });
  const actor: AdminActor = { kind: 'cli', name: operatorName() };
  const describe = (u: User) => ({ id: u.id, email: u.email, displayName: u.displayName, roles: u.roles, disabled: u.disabled });
  const line = (u: User) => `${u.email}  ${u.id}  [${u.roles.join(' ')}]${u.disabled ? '  DISABLED' : ''}`;
  switch (command) {
    case 'list': {
      const all: User[] = [];
      for (let after: string | undefined, more = true; more; ) {
        const page = await admin.list(actor, { emailPrefix: String(values.prefix), after, limit: 100 });
        all.push(...page.users);
        [after, more] = [page.next, page.next !== undefined];
      }
      print(all.map(describe), all.map(line).join('\n') || '(no users)');
      break;
    }
    case 'set-roles': {
      if (!target || argument === undefined) throw new Error(USAGE);
      const { user, revokedSessions } = await admin.setRoles(actor, target, argument.split(','));
      const effect =
        revokedSessions > 0
          ? `A role was removed: ${revokedSessions} session(s) revoked everywhere; they sign in again with the new roles.`
          : 'Their tokens carry the new roles from their next login or refresh.';
      print({ ...describe(user), revokedSessions }, `${line(user)}\n${effect}`);
      break;
    }
    case 'disable': {
      if (!target) throw new Error(USAGE);
      const { user, revokedSessions } = await admin.disable(actor, target);
      print({ ...describe(user), revokedSessions }, `disabled ${user.email}: ${revokedSessions} session(s) revoked everywhere; logins and refreshes are refused`);
      break;
    }
    case 'enable': {
      if (!target) throw new Error(USAGE);
      const user = await admin.enable(actor, target);
      print(describe(user), `enabled ${user.email}`);
      break;
    }
    case 'set-email': {
      if (!target || argument === undefined) throw new Error(USAGE);
      const user = await admin.setEmail(actor, target, argument);
      print(describe(user), `${line(user)}\nIt signs in with the new email; its sessions are kept.`);
      break;
    }
    default:
      throw new Error(USAGE);
  }
});

/** Who ran the command, for the audit line (containers may have no passwd entry). */
function operatorName(): string {
  try {
    return userInfo().username;
  } catch {
    return process.env.USER ?? 'unknown';
  }
}
