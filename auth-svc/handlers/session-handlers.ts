import { status } from '@grpc/grpc-js';
import type { AuthServiceServer } from '../../gen/auth/v1/auth_service.js';
import { GrpcError, invalidArgument } from '../../lib/grpc/errors.js';
import { publicUnary, unary } from '../../lib/grpc/handlers.js';
import type { Logger } from '../../lib/log/logger.js';
import type { RefreshFailure, SessionManager, SessionTokens } from '../sessions/session-manager.js';
import { loginOutcomeOf, type SessionMetrics } from '../sessions/session-metrics.js';
import { requestedAudience, type Audiences } from '../tokens/audiences.js';
import { MAX_OPAQUE_SECRET_LENGTH } from '../tokens/opaque-secret.js';
import { emailCharactersProblem, MAX_EMAIL_LENGTH } from '../users/email-address.js';
import { badCredentials, countedRefusal, throttledPasswordCheck, type PasswordCheckDeps } from './credentials-check.js';

export interface SessionDeps extends PasswordCheckDeps {
  readonly sessions: SessionManager;
  readonly audiences: Audiences;
  readonly log: Logger;
  /** Login and Refresh outcomes; undefined = metrics off. */
  readonly metrics?: SessionMetrics;
}

const REFRESH_REFUSED: Record<RefreshFailure, GrpcError> = {
  unknown: new GrpcError(status.UNAUTHENTICATED, 'refresh token is not valid; sign in again'),
  expired: new GrpcError(status.UNAUTHENTICATED, 'refresh token expired; sign in again'),
  revoked: new GrpcError(status.UNAUTHENTICATED, 'session has been revoked; sign in again'),
  reused: new GrpcError(status.UNAUTHENTICATED, 'refresh token was already used; the session has been revoked, sign in again'),
  disabled: new GrpcError(status.PERMISSION_DENIED, 'account is disabled'),
};

const UNKNOWN_REFRESH_TOKEN = { ok: false, failure: 'unknown' } as const;

export function sessionHandlers(deps: SessionDeps): Pick<AuthServiceServer, 'login' | 'refresh' | 'logout' | 'logoutAll'> {
  const { users, sessions, log, metrics } = deps;
  return {
    login: publicUnary(log, async (req, call) => {
      try {
        if (req.email === '') throw invalidArgument('email', 'is required');
        if (req.password === '') throw invalidArgument('password', 'is required');
        const audience = requestedAudience(deps.audiences, req.audience);
        const unusable = unusableEmail(req.email);
        if (unusable) await countedRefusal(deps, call.getPeer(), unusable);
        const user = await users.findByEmail(req.email);
        if (!(await throttledPasswordCheck(deps, req.email, user, req.password, call.getPeer())) || !user) throw badCredentials();
        if (user.disabled) throw accountDisabled();
        const tokens = await sessions.open(user, audience);
        if (!tokens) throw accountDisabled();
        metrics?.login('success');
        return tokenResponse(tokens);
      } catch (err) {
        metrics?.login(loginOutcomeOf(err));
        throw err;
      }
    }),

    refresh: publicUnary(log, async (req) => {
      if (req.refreshToken === '') throw invalidArgument('refresh_token', 'is required');
      const audience = requestedAudience(deps.audiences, req.audience);
      // Over-long: not a token we could have issued; counted as unknown without a lookup.
      const outcome = req.refreshToken.length > MAX_OPAQUE_SECRET_LENGTH ? UNKNOWN_REFRESH_TOKEN : await sessions.refresh(req.refreshToken, audience);
      metrics?.refresh(outcome.ok ? (outcome.retried ? 'retried' : 'success') : outcome.failure);
      if (!outcome.ok) throw REFRESH_REFUSED[outcome.failure];
      return tokenResponse(outcome.tokens);
    }),

    logout: unary(log, async (_req, { principal }) => {
      if (!principal.sessionId) throw new GrpcError(status.FAILED_PRECONDITION, 'this token belongs to no session');
      await sessions.revoke(principal.sessionId, 'logout');
      return {};
    }),

    logoutAll: unary(log, async (_req, { principal }) => ({
      revokedSessions: await sessions.revokeAllOf(principal.subject, 'logout everywhere'),
    })),
  };
}

/**
 * Why no account can have this email (checked before any lookup), as the status to answer;
 * undefined when one may. NUL and unpaired surrogates are control and surrogate characters, so
 * they are refused here too, before any store sees them.
 */
function unusableEmail(email: string): GrpcError | undefined {
  // Over-long: answered like a wrong password, as always (it is only a failed guess).
  if (email.length > MAX_EMAIL_LENGTH) return badCredentials();
  const problem = emailCharactersProblem(email);
  return problem === undefined ? undefined : invalidArgument('email', problem);
}

function accountDisabled(): GrpcError {
  return new GrpcError(status.PERMISSION_DENIED, 'account is disabled');
}

function tokenResponse(t: SessionTokens) {
  return { ...t, tokenType: 'Bearer' };
}
