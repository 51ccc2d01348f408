/**
 * Protect your own grpc-js service with tokens from auth-svc:
 *
 *   const auth = await connectAuthSvc({ address: 'auth-svc:50051', issuer: 'auth-svc', audience: 'my-svc', credentials });
 *   const server = new Server({ interceptors: serverInterceptors({ authentication: auth.interceptor({ [Greeter.greet.path]: ANY_USER }) }) });
 *   server.addService(Greeter, { greet: unary(async (req, { principal }) => ({ message: `hello ${principal.subject}` })) });
 *
 * Tokens are verified locally (signature, expiry, issuer, audience, algorithm pinned by the key)
 * before any handler runs; a method missing from the policy table is denied. Each concern
 * (authentication, limits, observability, live streams) is an interceptor of its own.
 */
// Connecting to auth-svc: keys, revocations, the verifier, the authentication interceptor.
export { connectAuthSvc, type AuthSvcConnection, type AuthSvcOptions } from './auth-svc-connection.js';
// Who may call what, and who is calling.
export { ANY_USER, authorize, INFRASTRUCTURE_POLICIES, PUBLIC, serviceWith, userWithRole, withActor, type ActorRule, type MethodPolicy, type PolicyTable } from './policy.js';
export { SCOPES } from './scopes.js';
export type { Actor, Principal } from './principal.js';
export { principalOf, requirePrincipal } from './call-identity.js';
export { permissionDenied, unauthenticated, unavailable, type AuthFailure, type AuthResult, type FailureReason } from './auth-failure.js';
// Interceptors, each usable alone, and all of them in order.
export { authenticationInterceptor, type AuthenticationOptions } from './interceptors/authentication.js';
export { DEFAULT_MAX_METADATA_BYTES, metadataLimitInterceptor } from './interceptors/metadata-limit.js';
export { publicStreamLimitInterceptor, type PublicStreamLimits } from './interceptors/public-stream-limit.js';
export { serverInterceptors, type ServerInterceptorsOptions } from './interceptors/compose.js';
export { listenWithLimits, type ConnectionLimits, type Listener } from './limits/listener.js';
// Observability: the hook, and the metrics and log observers that fill it.
export { observabilityInterceptor } from './observability/interceptor.js';
export type { RpcEnd, RpcObserver, RpcStart, RunWithin } from './observability/observer.js';
export { metricsObserver, type MethodMetrics, type RpcMetrics } from './observability/metrics.js';
export { rpcLogObserver, type RpcLines, type RpcLogOptions } from './observability/rpc-log.js';
export { auditObserver, type AuditedDecisions, type AuditOptions, type AuthzAuditEvent } from './observability/audit.js';
export { silentLogger, type Logger } from './observability/logger.js';
// Handlers: adapters that hand over the principal, and the one error whose status reaches the caller.
export { publicUnary, serverStream, unary, type CallContext, type HandlerOptions } from './handlers/adapters.js';
export { ServerError } from './server-error.js';
// Live streams: byte-budgeted, capped per caller, ended on revocation, expiry and shutdown.
export {
  liveStream,
  OpenStreams,
  QUEUED_MESSAGE_OVERHEAD_BYTES,
  type CutOffReason,
  type LiveStreamLimits,
  type LiveStreamOptions,
  type MessageEncoder,
  type OpenStreamsOptions,
} from './streams/live-stream.js';
export { liveStreamInterceptor } from './streams/stream-control.js';
// Calling further services as the caller.
export { onBehalfOf, type OnBehalfOf } from './on-behalf-of.js';
export { tokenExchanger, type OnBehalfOfService, type TokenExchangeSource, type TokenExchangerOptions } from './token-exchange.js';
// The verification pieces, for services that wire them differently.
export { createAuthenticate, type AuthDecision, type Authenticate, type AuthenticateOptions, type TokenVerifier } from './authenticate.js';
export { bindingFailure, certificateThumbprint, type PeerCertificate } from './certificate-binding.js';
export { tokenVerifier, verifyAccessToken, type VerifyOptions } from './verify-token.js';
export { cachedVerifier, type TokenCache, type TokenCacheOptions, type TokenCacheStats } from './token-cache.js';
export { revocationAwareVerifier } from './service-verifier.js';
export { sharedSecretKey, StaticKeySet, type KeyResolver, type SigningAlgorithm, type VerificationKey } from './keys.js';
export { JwksCache, type JwksCacheOptions, type KeySetSnapshot } from './jwks-cache.js';
export { publicKeysFetcher } from './public-keys.js';
export { remoteJwksFetcher, type RemoteKeySource } from './remote-jwks.js';
export { RevocationList, withRevocations, type RevokedSessionEntry } from './revocation-list.js';
export { RevocationWatcher, type RevocationWatcherOptions } from './revocation-watcher.js';
export type { PublicJwk } from './jwk.js';
