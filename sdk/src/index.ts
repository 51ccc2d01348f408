/**
 * Client SDK for auth-svc and business-svc.
 *
 *   const session = await Session.login({ auth: 'localhost:50051', email, password });
 *   const notes = createNotesClient('localhost:50052', { session }); // tokens for business-svc
 *   const { notes: page } = await notes.listNotes({}, { timeoutMs: 2000 });
 *   for await (const change of notes.watchNotes({}, { signal })) console.log(change.kind);
 *
 * Every method takes a partial request (proto3 defaults filled in) and per-call options
 * (deadline or timeoutMs, AbortSignal, metadata); every failure is a ClientError with
 * the gRPC `code`. Services calling services use ServiceCredentials the same way.
 *
 * Replicas: pass several `ip:port` addresses (or one DNS name with a record per replica):
 * calls are spread round-robin, and the methods the protos mark idempotent
 * (`idempotency_level`; IDEMPOTENT_METHODS, retrySafeMethods) are retried on another
 * replica when one is UNAVAILABLE.
 *
 * Over TLS, pass `credentials: tlsCredentials({ ca, cert?, key? })` to any create*Client
 * (and to Session as `clientOptions: { credentials }`).
 */
export { Metadata, status } from '@grpc/grpc-js';
export { AUTH_SVC_AUDIENCE, BUSINESS_SVC_AUDIENCE, type AudienceTokens } from './audiences.js';
export { bearerInterceptor, type BearerInterceptorOptions, type TokenSource } from './bearer-interceptor.js';
export {
  createAuthClient,
  createClient,
  createDashboardClient,
  createKeysClient,
  createNotesClient,
  createRevocationClient,
  createUserDirectoryClient,
  isServiceAddress,
  type AuthClient,
  type ClientOptions,
  type DashboardClient,
  type KeysClient,
  type NotesClient,
  type RevocationClient,
  type ServiceAddress,
  type UserDirectoryClient,
} from './clients.js';
export { ClientError, REFUSAL_REASON_KEY } from './errors.js';
export { IDEMPOTENT_METHODS, retrySafeMethods } from './idempotent-methods.js';
export { balancedServiceConfig, channelTarget, loadBalancingChannelOptions, RETRY_MAX_ATTEMPTS } from './load-balancing.js';
export { MID_RESPONSE_RETRIES, midResponseRetryInterceptor } from './mid-response-retry.js';
export { promiseClient, type CallOptions, type DeepPartial, type PromiseClient, type ServerStream, type ServiceDefinition } from './promise-client.js';
export { RenewingToken, type IssuedAccessToken, type RenewingTokenOptions } from './renewing-token.js';
export { ServiceCredentials, type ServiceCredentialsOptions } from './service-credentials.js';
export { Session, type SessionOptions } from './session.js';
export { tlsCredentials, type PemSource, type TlsOptions } from './tls.js';
export * as authV1 from '@grpc-token-auth/sdk/gen/auth/v1/auth_service.js';
export * as keysV1 from '@grpc-token-auth/sdk/gen/auth/v1/keys_service.js';
export * as revocationV1 from '@grpc-token-auth/sdk/gen/auth/v1/revocation_service.js';
export * as userDirectoryV1 from '@grpc-token-auth/sdk/gen/auth/v1/user_directory.js';
export * as dashboardV1 from '@grpc-token-auth/sdk/gen/business/v1/dashboard_service.js';
export * as notesV1 from '@grpc-token-auth/sdk/gen/business/v1/notes_service.js';
