import { availableParallelism } from 'node:os';
import { readDatabaseUrl } from '../lib/config/database-url.js';
import { EnvReader } from '../lib/config/env-reader.js';
import { readListenConfig, type ListenConfig } from '../lib/config/listen-config.js';
import { readMetricsConfig, type MetricsConfig } from '../lib/config/metrics-config.js';
import { readProcessConfig, type ProcessConfig } from '../lib/config/process-config.js';
import { readServerTlsConfig, type ServerTlsConfig } from '../lib/config/tls-config.js';
import { readTokenConfig, type TokenConfig } from '../lib/config/token-config.js';
import type { LoginGuardOptions } from './throttle/login-guard.js';
import { readLoginGuardConfig, readThrottleConfig, type ThrottleConfig } from './throttle/throttle-config.js';
import { readTokenCacheMaxEntries } from '../lib/config/verification-config.js';

export interface AuthConfig extends ProcessConfig {
  readonly listen: ListenConfig;
  /** Prometheus `/metrics` listener; undefined = metrics off. */
  readonly metrics: MetricsConfig | undefined;
  /** Undefined = plaintext. */
  readonly tls: ServerTlsConfig | undefined;
  readonly dbPath: string;
  /** postgres://… : keep everything in PostgreSQL (shared by replicas) instead of the SQLite file. */
  readonly databaseUrl: string | undefined;
  readonly tokens: TokenConfig;
  readonly accessTokenTtlSeconds: number;
  /** Sliding: each refresh issues a new refresh token with this lifetime. */
  readonly refreshTokenTtlSeconds: number;
  readonly serviceTokenTtlSeconds: number;
  /** scrypt cost as log2(N); each +1 doubles hashing time and memory. */
  readonly scryptLogN: number;
  readonly loginThrottle: ThrottleConfig;
  readonly loginGuard: Pick<LoginGuardOptions, 'maxConcurrentPerAddress'>;
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
    metrics: readMetricsConfig(env, 'AUTH', 9464),
    tls: readServerTlsConfig(env),
    dbPath: env.string('AUTH_DB_PATH', 'data/auth.db'),
    databaseUrl: readDatabaseUrl(env, 'DATABASE_URL'),
    tokens: readTokenConfig(env),
    accessTokenTtlSeconds: env.int('ACCESS_TOKEN_TTL_SECONDS', 300, 10, 86_400),
    refreshTokenTtlSeconds: env.int('REFRESH_TOKEN_TTL_SECONDS', 30 * 86_400, 60, 365 * 86_400),
    serviceTokenTtlSeconds: env.int('SERVICE_TOKEN_TTL_SECONDS', 300, 10, 3600),
    scryptLogN,
    loginThrottle: readThrottleConfig(env),
    loginGuard: readLoginGuardConfig(env),
    tokenCacheMaxEntries: readTokenCacheMaxEntries(env),
    passwordHashConcurrency: env.int('PASSWORD_HASH_CONCURRENCY', Math.max(1, availableParallelism() - 1), 1, 64),
    ...readProcessConfig(env),
  };
  return { ...config, warnings: env.finish() };
}

/** How long any token auth-svc issues can be accepted: lifetime plus clock skew, in ms. */
export function tokenAcceptanceWindowMs(config: AuthConfig): number {
  return (Math.max(config.accessTokenTtlSeconds, config.serviceTokenTtlSeconds) + config.tokens.clockSkewSeconds) * 1000;
}
