import type { EnvReader } from './env-reader.js';

/** TOKEN_CACHE_MAX_ENTRIES: verified tokens kept in memory (0 = verify every call). ~1 KB each. */
export function readTokenCacheMaxEntries(env: EnvReader): number {
  return env.int('TOKEN_CACHE_MAX_ENTRIES', 10_000, 0, 1_000_000);
}

/**
 * BENCH_DISABLE_AUTH=1 replaces token verification with a fixed benchmark principal (user id
 * BENCH_SUBJECT, default `bench-user`), so `npm run bench` can measure what verification
 * costs. Refused in production; loud otherwise. Returns the subject, or undefined when off.
 */
export function readBenchNoAuthSubject(env: EnvReader): string | undefined {
  const raw = env.optional('BENCH_DISABLE_AUTH');
  if (raw === undefined || raw === '0') return undefined;
  if (raw !== '1') {
    env.problem(`BENCH_DISABLE_AUTH must be 0 or 1 (got "${raw}")`);
    return undefined;
  }
  if (env.production) {
    env.problem('BENCH_DISABLE_AUTH is a benchmark-only switch and is refused when NODE_ENV=production');
    return undefined;
  }
  const subject = env.string('BENCH_SUBJECT', 'bench-user');
  env.warning(`BENCH_DISABLE_AUTH=1: TOKEN VERIFICATION IS OFF, every call runs as user "${subject}". Benchmarks only.`);
  return subject;
}
