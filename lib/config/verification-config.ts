import type { EnvReader } from './env-reader.js';

/** TOKEN_CACHE_MAX_ENTRIES: verified tokens kept in memory (0 = verify every call). ~1 KB each. */
export function readTokenCacheMaxEntries(env: EnvReader): number {
  return env.int('TOKEN_CACHE_MAX_ENTRIES', 10_000, 0, 1_000_000);
}
