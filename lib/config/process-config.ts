import type { EnvReader } from './env-reader.js';

/** Settings every service process has: log verbosity and how long shutdown drains. */
export interface ProcessConfig {
  readonly logLevel: string;
  readonly shutdownGraceMs: number;
}

export function readProcessConfig(env: EnvReader): ProcessConfig {
  return {
    logLevel: env.oneOf('LOG_LEVEL', 'info', ['trace', 'debug', 'info', 'warn', 'error', 'silent']),
    shutdownGraceMs: env.int('SHUTDOWN_GRACE_MS', 5000, 0, 60_000),
  };
}
