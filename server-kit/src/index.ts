/**
 * Protect your own grpc-js service with tokens from auth-svc:
 *
 *   const auth = await connectAuthSvc({ address: 'auth-svc:50051', issuer: 'auth-svc', audience: 'grpc-token-auth', credentials });
 *   const server = new Server({ interceptors: [auth.interceptor({ [GreeterService.greet.path]: ANY_USER })] });
 *   // in a handler: const { subject, roles } = requirePrincipal(call);
 *
 * Tokens are verified locally (signature, expiry, issuer, audience, algorithm pinned by
 * the key) before any handler runs; a method missing from the policy table is denied.
 */
export { connectAuthSvc, type AuthSvcConnection, type AuthSvcOptions } from './auth-svc-connection.js';
export { permissionDenied, unauthenticated, unavailable, type AuthFailure, type AuthResult, type FailureReason } from './auth-failure.js';
export { createAuthenticate, type AuthDecision, type Authenticate, type TokenVerifier } from './authenticate.js';
export { bearerToken, checkJwtShape, MAX_AUTHORIZATION_LENGTH, parseBearer } from './bearer.js';
export { attachPrincipal, requirePrincipal } from './call-identity.js';
export { createServerInterceptor, type InterceptorOptions, type RpcLines } from './interceptor.js';
export { fromPublicJwk, jwkThumbprint, toPublicJwk, type PublicJwk } from './jwk.js';
export { JwksCache, type JwksCacheOptions, type KeySetSnapshot } from './jwks-cache.js';
export { parseJwksJson, toJwksJson, type JwkJson } from './jwks-json.js';
export { unknownNamesProblem } from './known-names.js';
export { clientAddress } from './limits/client-address.js';
export { KeyedSlots } from './limits/keyed-slots.js';
export { listenWithLimits, type ConnectionLimits, type Listener } from './limits/listener.js';
export { resetHttp2Stream } from './limits/stream-reset.js';
export { MIN_SECRET_BYTES, sharedSecretKey, StaticKeySet, type KeyResolver, type SigningAlgorithm, type VerificationKey } from './keys.js';
export { silentLogger, type Logger, type MethodMetrics, type RpcMetrics } from './observability.js';
export { onBehalfOf, type OnBehalfOf } from './on-behalf-of.js';
export { ANY_USER, authorize, INFRASTRUCTURE_POLICIES, PUBLIC, serviceWith, userWithRole, type MethodPolicy, type PolicyTable } from './policy.js';
export type { Principal } from './principal.js';
export { publicKeysFetcher } from './public-keys.js';
export { discoverJwksUri, MAX_DOCUMENT_BYTES, remoteJwksFetcher, type RemoteKeySource } from './remote-jwks.js';
export { RevocationList, withRevocations, type RevokedSessionEntry } from './revocation-list.js';
export { RevocationWatcher, type RevocationWatcherOptions } from './revocation-watcher.js';
export { KNOWN_SCOPES, scopeNamesProblem, SCOPES } from './scopes.js';
export { revocationAwareVerifier } from './service-verifier.js';
export { cachedVerifier, type TokenCache, type TokenCacheOptions, type TokenCacheStats } from './token-cache.js';
export { tokenVerifier, verifyAccessToken, type VerifyOptions } from './verify-token.js';
