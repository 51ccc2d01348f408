import type { UserDirectoryServer } from '../../gen/auth/v1/user_directory.js';
import { notFound } from '../../lib/grpc/errors.js';
import { unary } from '../../lib/grpc/handlers.js';
import { requireUuid } from '../../lib/grpc/validate.js';
import type { Logger } from '../../lib/log/logger.js';
import type { UserStore } from '../store/user-store.js';

/** auth.v1.UserDirectory: for services with the users.read scope (the policy table enforces it). */
export function userDirectoryHandlers({ users, log }: { users: UserStore; log: Logger }): UserDirectoryServer {
  return {
    getUser: unary(log, async (req) => {
      const user = await users.findById(requireUuid('user_id', req.userId));
      if (!user) throw notFound('user');
      return { user: { userId: user.id, email: user.email, displayName: user.displayName, roles: [...user.roles] } };
    }),
  };
}
