import { availableParallelism } from 'node:os';
import { EnvReader } from '../lib/config/env-reader.js';
import { readListenConfig, type ListenConfig } from '../lib/config/listen-config.js';
import { readProcessConfig, type ProcessConfig } from '../lib/config/process-config.js';
import { readTokenConfig, type TokenConfig } from '../lib/config/token-config.js';
import { readTokenCacheMaxEntries } from '../lib/config/verification-config.js';

export interface AuthConfig extends ProcessConfig {
  readonly listen: ListenConfig;
  readonly dbPath: string;
  readonly tokens: TokenConfig;
  readonly accessTokenTtlSeconds: number;
  /** scrypt cost as log2(N); each +1 doubles hashing time and memory. */
  readonly scryptLogN: number;
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
    dbPath: env.string('AUTH_DB_PATH', 'data/auth.db'),
    tokens: readTokenConfig(env),
    accessTokenTtlSeconds: env.int('ACCESS_TOKEN_TTL_SECONDS', 300, 10, 86_400),
    scryptLogN,
    tokenCacheMaxEntries: readTokenCacheMaxEntries(env),
    passwordHashConcurrency: env.int('PASSWORD_HASH_CONCURRENCY', Math.max(1, availableParallelism() - 1), 1, 64),
    ...readProcessConfig(env),
  };
  return { ...config, warnings: env.finish() };
}
