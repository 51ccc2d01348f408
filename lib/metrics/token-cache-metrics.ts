import { Counter, Gauge, type Registry } from 'prom-client';
import type { TokenCacheStats } from '@grpc-token-auth/server-kit';

/** Share of lookups answered from the cache (verified or remembered refusal); 0 before any lookup. */
export function hitRatio(s: TokenCacheStats): number {
  const answered = s.hits + s.negativeHits;
  const total = answered + s.misses;
  return total === 0 ? 0 : answered / total;
}

/**
 * Exposes a verified-token cache. Read from `stats()` at scrape time, so the verify hot
 * path does not touch prom-client at all.
 */
export function exposeTokenCache(registry: Registry, cache: { stats(): TokenCacheStats }): void {
  const lookups = new Counter({
    name: 'authn_token_cache_lookups_total',
    help: 'Token verifications by cache result: hit (verified token), negative_hit (remembered refusal), miss (full verification).',
    labelNames: ['result'],
    registers: [registry],
    collect() {
      const s = cache.stats();
      // Mirrors the cache's own monotonic counters (reset + inc: prom-client counters have no set).
      lookups.reset();
      lookups.labels('hit').inc(s.hits);
      lookups.labels('negative_hit').inc(s.negativeHits);
      lookups.labels('miss').inc(s.misses);
    },
  });
  const entries = new Gauge({
    name: 'authn_token_cache_entries',
    help: 'Verified tokens held in the cache.',
    registers: [registry],
    collect() {
      entries.set(cache.stats().size);
    },
  });
  const ratio = new Gauge({
    name: 'authn_token_cache_hit_ratio',
    help: 'Share of token verifications answered from the cache since start (0..1). For a windowed ratio use rate() of authn_token_cache_lookups_total.',
    registers: [registry],
    // Cluster primary: the mean of the workers' ratios, not their sum.
    aggregator: 'average',
    collect() {
      ratio.set(hitRatio(cache.stats()));
    },
  });
}
