import { status } from '@grpc/grpc-js';
import type { AuthServiceServer } from '../../gen/auth/v1/auth_service.js';
import { GrpcError, invalidArgument } from '../../lib/grpc/errors.js';
import { publicUnary, unary } from '../../lib/grpc/handlers.js';
import { requireStorable, requireVisibleText } from '../../lib/grpc/validate.js';
import type { Logger } from '../../lib/log/logger.js';
import { clientAddress } from '@grpc-token-auth/server-kit/internal';
import type { PasswordHasher } from '../passwords/password-hasher.js';
import { passwordProblem } from '../passwords/password-policy.js';
import type { SessionManager } from '../sessions/session-manager.js';
import { EmailTakenError } from '../store/user-store.js';
import { emailAddressProblem } from '../users/email-address.js';
import { RETRY_AFTER_TRAILER } from '../throttle/login-guard.js';
import type { RegisterLimits } from '../throttle/register-limits.js';
import { throttledPasswordCheck, type PasswordCheckDeps } from './credentials-check.js';

export interface AccountDeps extends PasswordCheckDeps {
  readonly sessions: SessionManager;
  readonly log: Logger;
  /** Register's own rate limits and hash slot, apart from Login's, so neither starves the other. */
  readonly registration: { readonly limits: RegisterLimits; readonly hasher: PasswordHasher };
}

/** Registrations waiting for the hash slot; more are refused rather than queued without bound. */
const MAX_QUEUED_REGISTRATIONS = 8;

export function accountHandlers(deps: AccountDeps): Pick<AuthServiceServer, 'register' | 'changePassword'> {
  const { users, hasher, sessions, log, registration } = deps;
  return {
    register: publicUnary(log, async (req, call) => {
      // Limits first: a refused attempt (a storm) costs one small store transaction, not the password policy.
      await registration.limits.admit(clientAddress(call.getPeer()));
      const email = validEmail(req.email);
      const displayName = requireVisibleText('display_name', req.displayName, 100);
      const problem = passwordProblem(req.password, email);
      if (problem) throw invalidArgument('password', problem);
      if (registration.hasher.queued >= MAX_QUEUED_REGISTRATIONS) {
        throw new GrpcError(status.RESOURCE_EXHAUSTED, 'registration is busy; retry in 1 s', { [RETRY_AFTER_TRAILER]: '1' });
      }
      // Hashed before the email is looked up: a taken email answers in the same time as a new one.
      const passwordHash = await registration.hasher.hash(req.password);
      if (await users.findByEmail(email)) throw emailTaken();
      try {
        const user = await users.create({ email, passwordHash, displayName });
        log.info({ sub: user.id }, 'user registered');
        return { userId: user.id };
      } catch (err) {
        // Two concurrent registrations: the unique index decides.
        if (err instanceof EmailTakenError) throw emailTaken();
        throw err;
      }
    }),

    changePassword: unary(log, async (req, { principal, call }) => {
      if (req.currentPassword === '') throw invalidArgument('current_password', 'is required');
      const user = await users.findById(principal.subject);
      if (!user) throw new GrpcError(status.NOT_FOUND, 'account no longer exists');
      const problem = passwordProblem(req.newPassword, user.email);
      if (problem) throw invalidArgument('new_password', problem);
      if (req.newPassword.normalize('NFKC') === req.currentPassword.normalize('NFKC')) {
        throw invalidArgument('new_password', 'must differ from the current password');
      }
      // PERMISSION_DENIED, not UNAUTHENTICATED: the caller's token is fine, clients must not re-login.
      // Throttled like Login: a stolen access token must not become a password oracle.
      if (!(await throttledPasswordCheck(deps, user.email, user, req.currentPassword, call.getPeer()))) {
        throw new GrpcError(status.PERMISSION_DENIED, 'current password is incorrect');
      }
      await users.setPasswordHash(user.id, await hasher.hash(req.newPassword));
      // Whoever else knew the old password is signed out everywhere; the caller stays in.
      const revokedSessions = await sessions.revokeAllOf(user.id, 'password changed', principal.sessionId);
      log.info({ sub: user.id, revokedSessions }, 'password changed');
      return { revokedSessions };
    }),
  };
}

function emailTaken(): GrpcError {
  return new GrpcError(status.ALREADY_EXISTS, 'email is already registered');
}

/** Stored as typed (trimmed); compared in canonical form (see email-address.ts). */
function validEmail(raw: string): string {
  const email = requireStorable('email', raw).trim();
  const problem = emailAddressProblem(email);
  if (problem) throw invalidArgument('email', problem);
  return email;
}
