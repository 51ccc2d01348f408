import { EnvReader } from '../lib/config/env-reader.js';
import { readListenConfig, type ListenConfig } from '../lib/config/listen-config.js';
import { readProcessConfig, type ProcessConfig } from '../lib/config/process-config.js';
import { readTokenConfig, type TokenConfig } from '../lib/config/token-config.js';
import { readBenchNoAuthSubject, readTokenCacheMaxEntries } from '../lib/config/verification-config.js';

export interface BusinessConfig extends ProcessConfig {
  readonly listen: ListenConfig;
  readonly dbPath: string;
  readonly tokens: TokenConfig;
  /** Where to fetch verification keys (asymmetric modes). */
  readonly authAddress: string;
  readonly keysRefreshSeconds: number;
  readonly keysMinFetchIntervalMs: number;
  readonly tokenCacheMaxEntries: number;
  /** Benchmark only: skip verification, every call runs as this user id (refused in production). */
  readonly benchNoAuthSubject: string | undefined;
  readonly warnings: readonly string[];
}

export function loadBusinessConfig(environment: NodeJS.ProcessEnv = process.env): BusinessConfig {
  const env = new EnvReader(environment);
  const config = {
    listen: readListenConfig(env, 'BUSINESS', 50052),
    dbPath: env.string('BUSINESS_DB_PATH', 'data/business.db'),
    tokens: readTokenConfig(env),
    authAddress: env.string('AUTH_ADDRESS', '127.0.0.1:50051'),
    keysRefreshSeconds: env.int('KEYS_REFRESH_SECONDS', 60, 1, 3600),
    keysMinFetchIntervalMs: env.int('KEYS_MIN_FETCH_INTERVAL_MS', 1000, 100, 60_000),
    tokenCacheMaxEntries: readTokenCacheMaxEntries(env),
    benchNoAuthSubject: readBenchNoAuthSubject(env),
    ...readProcessConfig(env),
  };
  return { ...config, warnings: env.finish() };
}
