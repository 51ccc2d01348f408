import type { AuthServiceServer } from '../../gen/auth/v1/auth_service.js';
import { accountHandlers, type AccountDeps } from './account-handlers.js';
import { exchangeTokenHandler, type ExchangeDeps } from './exchange-token-handler.js';
import { serviceTokenHandlers } from './service-token-handlers.js';
import { sessionHandlers, type SessionDeps } from './session-handlers.js';

export type AuthServiceDeps = AccountDeps & SessionDeps & ExchangeDeps;

/** auth.v1.AuthService: accounts, login sessions, the client-credentials exchange and token exchange. */
export function authServiceHandlers(deps: AuthServiceDeps): AuthServiceServer {
  return { ...accountHandlers(deps), ...sessionHandlers(deps), ...serviceTokenHandlers(deps), ...exchangeTokenHandler(deps) };
}
