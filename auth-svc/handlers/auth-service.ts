import type { AuthServiceServer } from '../../gen/auth/v1/auth_service.js';
import { accountHandlers, type AccountDeps } from './account-handlers.js';
import { serviceTokenHandlers, type ServiceTokenDeps } from './service-token-handlers.js';
import { sessionHandlers, type SessionDeps } from './session-handlers.js';

export type AuthServiceDeps = AccountDeps & SessionDeps & ServiceTokenDeps;

/** auth.v1.AuthService: accounts, login sessions, and the client-credentials exchange. */
export function authServiceHandlers(deps: AuthServiceDeps): AuthServiceServer {
  return { ...accountHandlers(deps), ...sessionHandlers(deps), ...serviceTokenHandlers(deps) };
}
