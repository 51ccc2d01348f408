import type { EnvReader } from './env-reader.js';

/** TOKEN_CACHE_MAX_ENTRIES: verified tokens kept in memory (0 = verify every call). ~1 KB each. */
export function readTokenCacheMaxEntries(env: EnvReader): number {
  return env.int('TOKEN_CACHE_MAX_ENTRIES', 10_000, 0, 1_000_000);
}

/**
 * BENCH_DISABLE_AUTH=1 replaces token verification with a fixed benchmark principal, so
 * `npm run bench` can measure what verification costs. Refused in production; loud otherwise.
 */
export function readBenchDisableAuth(env: EnvReader): boolean {
  const raw = env.optional('BENCH_DISABLE_AUTH');
  if (raw === undefined || raw === '0') return false;
  if (raw !== '1') {
    env.problem(`BENCH_DISABLE_AUTH must be 0 or 1 (got "${raw}")`);
    return false;
  }
  if (env.production) {
    env.problem('BENCH_DISABLE_AUTH is a benchmark-only switch and is refused when NODE_ENV=production');
    return false;
  }
  env.warn('BENCH_DISABLE_AUTH=1: TOKEN VERIFICATION IS OFF, every call runs as a fixed benchmark user. Benchmarks only.');
  return true;
}
