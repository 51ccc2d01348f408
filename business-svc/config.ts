import { EnvReader } from '../lib/config/env-reader.js';
import { readListenConfig, type ListenConfig } from '../lib/config/listen-config.js';
import { readTokenConfig, type TokenConfig } from '../lib/config/token-config.js';

export interface BusinessConfig {
  readonly listen: ListenConfig;
  readonly dbPath: string;
  readonly tokens: TokenConfig;
  readonly logLevel: string;
  readonly shutdownGraceMs: number;
  readonly warnings: readonly string[];
}

export function loadBusinessConfig(environment: NodeJS.ProcessEnv = process.env): BusinessConfig {
  const env = new EnvReader(environment);
  const config = {
    listen: readListenConfig(env, 'BUSINESS', 50052),
    dbPath: env.string('BUSINESS_DB_PATH', 'data/business.db'),
    tokens: readTokenConfig(env),
    logLevel: env.oneOf('LOG_LEVEL', 'info', ['trace', 'debug', 'info', 'warn', 'error', 'silent']),
    shutdownGraceMs: env.int('SHUTDOWN_GRACE_MS', 5000, 0, 60_000),
  };
  return { ...config, warnings: env.finish() };
}
