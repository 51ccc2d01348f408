import { status } from '@grpc/grpc-js';
import type { AdminServiceServer, UserAccount } from '../../gen/auth/v1/admin_service.js';
import { GrpcError } from '../../lib/grpc/errors.js';
import { unary } from '../../lib/grpc/handlers.js';
import { decodePageToken, encodePageToken } from '../../lib/grpc/page-token.js';
import { limitText, pageSize, requireStorable, requireUuid } from '../../lib/grpc/validate.js';
import type { Logger } from '../../lib/log/logger.js';
import type { User } from '../store/user-store.js';
import { AdminRefusal, type AdminActor, type UserAdmin } from '../users/user-admin.js';

const PAGE = { defaultSize: 20, maxSize: 100 };

/**
 * auth.v1.AdminService: for users with the admin role. The policy table checks the token's
 * roles before the call is read; UserAdmin checks the store's at each action.
 */
export function adminServiceHandlers({ admin, log }: { admin: UserAdmin; log: Logger }): AdminServiceServer {
  const actor = (subject: string): AdminActor => ({ kind: 'user', id: subject });
  return {
    listUsers: unary(log, (req, { principal }) =>
      refusalsAsStatus(async () => {
        const limit = pageSize(req.pageSize, PAGE.defaultSize, PAGE.maxSize);
        const emailPrefix = limitText('email_prefix', req.emailPrefix, 254);
        const after = decodePageToken(req.pageToken, 'ListUsers', (p) => (p.length === 1 && typeof p[0] === 'string' ? p[0] : undefined));
        const page = await admin.list(actor(principal.subject), { emailPrefix, after, limit });
        return { users: page.users.map(toAccount), nextPageToken: page.next === undefined ? '' : encodePageToken([page.next]) };
      }),
    ),

    setUserRoles: unary(log, (req, { principal }) =>
      refusalsAsStatus(async () => {
        const { user, revokedSessions } = await admin.setRoles(actor(principal.subject), requireUuid('user_id', req.userId), req.roles);
        return { user: toAccount(user), revokedSessions };
      }),
    ),

    disableUser: unary(log, (req, { principal }) =>
      refusalsAsStatus(async () => {
        const { user, revokedSessions } = await admin.disable(actor(principal.subject), requireUuid('user_id', req.userId));
        return { user: toAccount(user), revokedSessions };
      }),
    ),

    enableUser: unary(log, (req, { principal }) =>
      refusalsAsStatus(async () => ({ user: toAccount(await admin.enable(actor(principal.subject), requireUuid('user_id', req.userId))) })),
    ),

    setUserEmail: unary(log, (req, { principal }) =>
      refusalsAsStatus(async () => {
        const userId = requireUuid('user_id', req.userId);
        // Storable text here, as every field; the address rules are UserAdmin's (shared with the `users` command).
        const email = requireStorable('email', req.email);
        return { user: toAccount(await admin.setEmail(actor(principal.subject), userId, email)) };
      }),
    ),
  };
}

const STATUS_OF: Record<AdminRefusal['kind'], status> = {
  not_found: status.NOT_FOUND,
  invalid: status.INVALID_ARGUMENT,
  precondition: status.FAILED_PRECONDITION,
  denied: status.PERMISSION_DENIED,
  exists: status.ALREADY_EXISTS,
};

async function refusalsAsStatus<T>(body: () => Promise<T>): Promise<T> {
  try {
    return await body();
  } catch (err) {
    if (err instanceof AdminRefusal) throw new GrpcError(STATUS_OF[err.kind], err.message);
    throw err;
  }
}

/** Never the password hash. */
function toAccount(u: User): UserAccount {
  return { userId: u.id, email: u.email, displayName: u.displayName, roles: [...u.roles], disabled: u.disabled, createTime: new Date(u.createdAt) };
}
