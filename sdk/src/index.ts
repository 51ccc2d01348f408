/**
 * Client SDK for auth-svc and business-svc.
 *
 *   const session = await Session.login({ auth: 'localhost:50051', email, password });
 *   const dashboard = createDashboardClient('localhost:50052', { interceptors: [session.interceptor] });
 *   const view = await unaryCall(dashboard, dashboard.getDashboard, {});
 *
 * Services calling services use ServiceCredentials the same way, and verify incoming
 * tokens with publicKeysFetcher + RevocationWatcher.
 *
 * Replicas: pass several `ip:port` addresses (or one DNS name with a record per replica):
 * calls are spread round-robin, and idempotent reads (IDEMPOTENT_METHODS) are retried on
 * another replica when one is UNAVAILABLE.
 *
 * Over TLS, pass `credentials: tlsCredentials({ ca, cert?, key? })` to any create*Client
 * (and to Session as `clientOptions: { credentials }`).
 */
export { bearerInterceptor, type TokenSource } from './bearer-interceptor.js';
export {
  createAuthClient,
  createDashboardClient,
  createKeysClient,
  createNotesClient,
  createRevocationClient,
  createUserDirectoryClient,
  type ClientOptions,
  type ServiceAddress,
} from './clients.js';
export { IDEMPOTENT_METHODS } from './idempotent-methods.js';
export { balancedServiceConfig, channelTarget } from './load-balancing.js';
export { publicKeysFetcher } from './public-keys.js';
export { RenewingToken, type IssuedAccessToken, type RenewingTokenOptions } from './renewing-token.js';
export { RevocationWatcher, type RevocationWatcherOptions } from './revocation-watcher.js';
export { ServiceCredentials, type ServiceCredentialsOptions } from './service-credentials.js';
export { Session, SessionEndedError, type SessionOptions } from './session.js';
export { tlsCredentials, type PemSource, type TlsOptions } from './tls.js';
export { unaryCall } from './unary-call.js';
export * as authV1 from '../gen/auth/v1/auth_service.js';
export * as dashboardV1 from '../gen/business/v1/dashboard_service.js';
export * as notesV1 from '../gen/business/v1/notes_service.js';
export * as userDirectoryV1 from '../gen/auth/v1/user_directory.js';
