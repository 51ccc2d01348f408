import { availableParallelism } from 'node:os';
import { AUTH_SVC_AUDIENCE } from '@grpc-token-auth/sdk';
import { readAudiences, type Audiences } from './tokens/audiences.js';
import { readDatabaseUrl } from '../lib/config/database-url.js';
import { EnvReader } from '../lib/config/env-reader.js';
import { readListenConfig, readOptionalListenConfig, type ListenConfig } from '../lib/config/listen-config.js';
import { readMetricsConfig, type MetricsConfig } from '../lib/config/metrics-config.js';
import { readProcessConfig, type ProcessConfig } from '../lib/config/process-config.js';
import { readServerTlsConfig, type ServerTlsConfig } from '../lib/config/tls-config.js';
import { readTokenConfig, type TokenConfig } from '../lib/config/token-config.js';
import { readTransportLimits, type TransportLimits } from '../lib/config/transport-config.js';
import type { LoginGuardOptions } from './throttle/login-guard.js';
import type { RegisterLimitOptions } from './throttle/register-limits.js';
import { readLoginGuardConfig, readRegisterLimitsConfig, readThrottleConfig, type ThrottleConfig } from './throttle/throttle-config.js';
import { readTokenCacheMaxEntries } from '../lib/config/verification-config.js';

export interface AuthConfig extends ProcessConfig {
  readonly listen: ListenConfig;
  readonly transport: TransportLimits;
  /** Prometheus `/metrics` listener; undefined = metrics off. */
  readonly metrics: MetricsConfig | undefined;
  /** OIDC discovery and JWKS over HTTP; undefined = off. */
  readonly http: ListenConfig | undefined;
  /** Undefined = plaintext. */
  readonly tls: ServerTlsConfig | undefined;
  readonly dbPath: string;
  /** postgres://… : keep everything in PostgreSQL (shared by replicas) instead of the SQLite file. */
  readonly databaseUrl: string | undefined;
  readonly tokens: TokenConfig;
  /** The services tokens are issued for (JWT_AUDIENCES). */
  readonly audiences: Audiences;
  /** REQUIRE_BOUND_SERVICE_TOKENS: refuse service tokens not bound to a client certificate. */
  readonly requireBoundServiceTokens: boolean;
  readonly accessTokenTtlSeconds: number;
  /** Sliding: each refresh issues a new refresh token with this lifetime. */
  readonly refreshTokenTtlSeconds: number;
  /** A rotated refresh token presented again this soon gets the same successor (a retry), not a revoked session; 0 = off. */
  readonly refreshReuseGraceSeconds: number;
  readonly serviceTokenTtlSeconds: number;
  /** scrypt cost as log2(N); each +1 doubles hashing time and memory. */
  readonly scryptLogN: number;
  readonly loginThrottle: ThrottleConfig;
  readonly loginGuard: Pick<LoginGuardOptions, 'maxConcurrentPerAddress'>;
  readonly registerLimits: RegisterLimitOptions;
  readonly tokenCacheMaxEntries: number;
  /** Password hashes computed at once; the default leaves a core for every other RPC. */
  readonly passwordHashConcurrency: number;
  readonly warnings: readonly string[];
}

export function loadAuthConfig(environment: NodeJS.ProcessEnv = process.env): AuthConfig {
  const env = new EnvReader(environment);
  const scryptLogN = env.int('PASSWORD_SCRYPT_LOG_N', 15, 10, 20);
  if (env.production && scryptLogN < 14) env.problem('PASSWORD_SCRYPT_LOG_N must be at least 14 in production');
  const config = {
    listen: readListenConfig(env, 'AUTH', 50051),
    // Credentials and tokens: no request of ours comes near 16 KiB.
    transport: readTransportLimits(env, { messageBytes: 16 * 1024 }),
    metrics: readMetricsConfig(env, 'AUTH', 9464),
    http: readOptionalListenConfig(env, 'AUTH_HTTP', 50080),
    tls: readServerTlsConfig(env),
    dbPath: env.string('AUTH_DB_PATH', 'data/auth.db'),
    databaseUrl: readDatabaseUrl(env, 'DATABASE_URL'),
    tokens: readTokenConfig(env, AUTH_SVC_AUDIENCE),
    audiences: readAudiences(env),
    requireBoundServiceTokens: env.oneOf('REQUIRE_BOUND_SERVICE_TOKENS', '0', ['0', '1']) === '1',
    accessTokenTtlSeconds: env.int('ACCESS_TOKEN_TTL_SECONDS', 300, 10, 86_400),
    refreshTokenTtlSeconds: env.int('REFRESH_TOKEN_TTL_SECONDS', 30 * 86_400, 60, 365 * 86_400),
    refreshReuseGraceSeconds: env.int('REFRESH_REUSE_GRACE_SECONDS', 10, 0, 60),
    serviceTokenTtlSeconds: env.int('SERVICE_TOKEN_TTL_SECONDS', 300, 10, 3600),
    scryptLogN,
    loginThrottle: readThrottleConfig(env),
    loginGuard: readLoginGuardConfig(env),
    registerLimits: readRegisterLimitsConfig(env),
    tokenCacheMaxEntries: readTokenCacheMaxEntries(env),
    passwordHashConcurrency: env.int('PASSWORD_HASH_CONCURRENCY', Math.max(1, availableParallelism() - 1), 1, 64),
    ...readProcessConfig(env),
  };
  checkIssuerUrl(env, config.tokens.issuer);
  return { ...config, warnings: env.finish() };
}

/** An issuer that looks like a URL is one verifiers will derive discovery from: it must be a clean one. */
function checkIssuerUrl(env: EnvReader, issuer: string): void {
  if (!/^https?:\/\//i.test(issuer)) return;
  const url = URL.canParse(issuer) ? new URL(issuer) : undefined;
  if (!url || url.search !== '' || url.hash !== '' || url.username !== '' || url.password !== '') {
    env.problem('JWT_ISSUER, when a URL, must be a plain http(s) URL without query, fragment or credentials (OIDC Discovery)');
  }
}

/** How long any token auth-svc issues can be accepted: lifetime plus clock skew, in ms. */
export function tokenAcceptanceWindowMs(config: AuthConfig): number {
  return (Math.max(config.accessTokenTtlSeconds, config.serviceTokenTtlSeconds) + config.tokens.clockSkewSeconds) * 1000;
}
