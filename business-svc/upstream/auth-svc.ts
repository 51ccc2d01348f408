import { createUserDirectoryClient, ServiceCredentials } from '@grpc-token-auth/sdk';
import { tracingInterceptor } from '@grpc-token-auth/sdk/tracing';
import { connectAuthSvc, remoteJwksFetcher, sharedSecretKey, StaticKeySet, type AuthSvcConnection } from '@grpc-token-auth/server-kit';
import type { Registry } from 'prom-client';
import { channelCredentials } from '../../lib/grpc/tls-credentials.js';
import type { Logger } from '../../lib/log/logger.js';
import { revocationStreamMetrics } from '../../lib/metrics/revocation-metrics.js';
import { tracingOn } from '../../lib/tracing/tracing-env.js';
import type { BusinessConfig } from '../config.js';
import { CurrentRoles } from './current-roles.js';
import { DisplayNames } from './display-names.js';

/** Everything business-svc gets from auth-svc: token verification (server kit) and display names. */
export interface AuthUpstream {
  readonly auth: AuthSvcConnection;
  /** Undefined when no service client is configured (development only). */
  readonly displayNames: DisplayNames | undefined;
  /** The store's current roles, for admin-only methods; undefined without a service client (development only). */
  readonly currentRoles: CurrentRoles | undefined;
  readonly close: () => void;
}

/**
 * `metrics`: where the revocation stream's state is recorded; undefined = metrics off.
 * `lookupLog`: where display-name lookups (driven by clients' dashboard calls) log; a capped logger.
 */
export async function connectAuthUpstream(config: BusinessConfig, log: Logger, metrics?: Registry, lookupLog: Logger = log): Promise<AuthUpstream> {
  // One credentials value (plaintext, TLS or mTLS) for every channel to auth-svc; with tracing on,
  // a client span on every call there (keys, revocations, tokens, users), joined to the caller's trace.
  const channel = { credentials: channelCredentials(config.authTls), interceptors: tracingOn() ? [tracingInterceptor()] : [] };
  const credentials = config.serviceClient && new ServiceCredentials({ auth: config.authAddress, clientOptions: channel, ...config.serviceClient });
  const auth = await connectAuthSvc({
    address: config.authAddress,
    issuer: config.tokens.issuer,
    audience: config.tokens.audience,
    clockSkewSeconds: config.tokens.clockSkewSeconds,
    clientOptions: channel,
    credentials,
    // HS256: the shared secret. Otherwise auth-svc's public keys (or another issuer's JWKS), fetched and cached.
    keys: config.tokens.algorithm === 'HS256' ? new StaticKeySet([sharedSecretKey(config.tokens.sharedSecret!)]) : undefined,
    keySource: config.keySource && remoteJwksFetcher(config.keySource),
    keysRefreshSeconds: config.keysRefreshSeconds,
    keysMinFetchIntervalMs: config.keysMinFetchIntervalMs,
    tokenCacheMaxEntries: config.tokenCacheMaxEntries,
    requireBoundServiceTokens: config.requireBoundServiceTokens,
    log,
    onRevocationStream: metrics && revocationStreamMetrics(metrics),
  });
  if (!credentials) {
    log.warn(
      config.keySource
        ? 'no auth-svc (JWKS_URL / OIDC_ISSUER_URL): no display names, admin methods trust the token\'s roles'
        : 'SERVICE_CLIENT_ID is not set: no display names, admin methods trust the token\'s roles',
    );
    return { auth, displayNames: undefined, currentRoles: undefined, close: auth.close };
  }
  const userDirectory = createUserDirectoryClient(config.authAddress, { ...channel, session: credentials });
  const displayNames = new DisplayNames({
    client: userDirectory,
    timeoutMs: config.userDirectoryTimeoutMs,
    cacheTtlMs: config.displayNameCacheSeconds * 1000,
    maxEntries: 10_000,
    log: lookupLog,
  });
  const currentRoles = new CurrentRoles({ client: userDirectory, timeoutMs: config.userDirectoryTimeoutMs });
  return { auth, displayNames, currentRoles, close: () => (auth.close(), userDirectory.close(), credentials.close()) };
}
