import { propagate, status } from '@grpc/grpc-js';
import type { UserDirectoryClient } from '@grpc-token-auth/sdk';
import { downstreamDeadline } from './deadlines.js';
import { GrpcError } from '../../lib/grpc/errors.js';
import type { IncomingCall } from './display-names.js';

/** Time kept back from the caller's deadline to answer UNAVAILABLE if auth-svc is slow. */
const RESERVE_MS = 50;

/**
 * A user's roles as auth-svc's store has them now (UserDirectory), for the admin-only methods:
 * a token issued before a demotion still says `admin` until its revocation arrives (within a
 * second), and these methods must not take its word for it meanwhile. Never cached; fails
 * closed (UNAVAILABLE, which clients retry) when auth-svc cannot answer.
 */
export class CurrentRoles {
  constructor(private readonly o: { readonly client: UserDirectoryClient; readonly timeoutMs: number }) {}

  /** Resolves when `userId` holds `role` now; PERMISSION_DENIED when not, UNAVAILABLE when auth-svc cannot say. */
  async require(userId: string, role: string, caller: IncomingCall): Promise<void> {
    const deadline = downstreamDeadline(caller.getDeadline(), Date.now(), this.o.timeoutMs, RESERVE_MS);
    if (deadline === undefined) throw unconfirmed();
    let roles: readonly string[];
    try {
      const res = await this.o.client.getUser({ userId }, { callOptions: { deadline, parent: caller, propagate_flags: propagate.CANCELLATION } });
      roles = res.user?.roles ?? [];
    } catch (err) {
      if ((err as { code?: number }).code === status.NOT_FOUND) roles = [];
      else throw unconfirmed();
    }
    if (!roles.includes(role)) throw new GrpcError(status.PERMISSION_DENIED, `this account no longer has the role ${role}`);
  }
}

function unconfirmed(): GrpcError {
  return new GrpcError(status.UNAVAILABLE, 'cannot confirm your roles with auth-svc; retry');
}
