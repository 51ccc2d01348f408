import { status } from '@grpc/grpc-js';
import { expect } from 'chai';
import { Registry } from 'prom-client';
import type { TokenCacheStats } from '@grpc-token-auth/server-kit';
import { loginOutcomeOf, sessionMetrics } from '../../auth-svc/sessions/session-metrics.js';
import { GrpcError, invalidArgument } from '../../lib/grpc/errors.js';
import { exposeRevocationSubscribers, exposeRevokedSessions, revocationStreamMetrics } from '../../lib/metrics/revocation-metrics.js';
import { exposeTokenCache, hitRatio } from '../../lib/metrics/token-cache-metrics.js';
import { parseSamples, valueOf } from '../support/metrics.js';

const samplesOf = async (r: Registry) => parseSamples(await r.metrics());

describe('token cache metrics', () => {
  it('computes the hit ratio over all lookups, 0 before any', () => {
    expect(hitRatio({ hits: 0, misses: 0, negativeHits: 0, size: 0 })).to.equal(0);
    expect(hitRatio({ hits: 3, misses: 1, negativeHits: 0, size: 1 })).to.equal(0.75);
    expect(hitRatio({ hits: 1, misses: 2, negativeHits: 1, size: 1 })).to.equal(0.5);
  });

  it('mirrors the cache\'s stats at each scrape, never counting twice', async () => {
    const registry = new Registry();
    let stats: TokenCacheStats = { hits: 5, misses: 2, negativeHits: 1, size: 2 };
    exposeTokenCache(registry, { stats: () => stats });
    for (let i = 0; i < 2; i++) {
      const s = await samplesOf(registry);
      expect(valueOf(s, 'authn_token_cache_lookups_total', { result: 'hit' })).to.equal(5);
      expect(valueOf(s, 'authn_token_cache_lookups_total', { result: 'miss' })).to.equal(2);
      expect(valueOf(s, 'authn_token_cache_lookups_total', { result: 'negative_hit' })).to.equal(1);
      expect(valueOf(s, 'authn_token_cache_entries')).to.equal(2);
      expect(valueOf(s, 'authn_token_cache_hit_ratio')).to.equal(0.75);
    }
    stats = { hits: 9, misses: 3, negativeHits: 0, size: 0 };
    const s = await samplesOf(registry);
    expect(valueOf(s, 'authn_token_cache_lookups_total', { result: 'hit' })).to.equal(9);
    expect(valueOf(s, 'authn_token_cache_entries')).to.equal(0);
  });
});

describe('session outcome metrics', () => {
  it('classifies a failed Login by the status it threw', () => {
    expect(loginOutcomeOf(new GrpcError(status.UNAUTHENTICATED, 'x'))).to.equal('bad_credentials');
    expect(loginOutcomeOf(new GrpcError(status.RESOURCE_EXHAUSTED, 'x'))).to.equal('throttled');
    expect(loginOutcomeOf(new GrpcError(status.PERMISSION_DENIED, 'x'))).to.equal('disabled');
    expect(loginOutcomeOf(invalidArgument('email', 'is required'))).to.equal('invalid_request');
    expect(loginOutcomeOf(new GrpcError(status.UNAVAILABLE, 'x'))).to.equal('error');
    expect(loginOutcomeOf(new Error('database is locked'))).to.equal('error');
  });

  it('exports every outcome from the start (0), so alerts on rare ones have a series', async () => {
    const registry = new Registry();
    const m = sessionMetrics(registry);
    let s = await samplesOf(registry);
    expect(valueOf(s, 'auth_refresh_attempts_total', { outcome: 'reused' })).to.equal(0);
    expect(valueOf(s, 'auth_login_attempts_total', { outcome: 'throttled' })).to.equal(0);
    m.login('success');
    m.refresh('reused');
    m.refresh('reused');
    s = await samplesOf(registry);
    expect(valueOf(s, 'auth_login_attempts_total', { outcome: 'success' })).to.equal(1);
    expect(valueOf(s, 'auth_refresh_attempts_total', { outcome: 'reused' })).to.equal(2);
    expect(s.filter((x) => x.name === 'auth_login_attempts_total')).to.have.length(6);
    expect(s.filter((x) => x.name === 'auth_refresh_attempts_total')).to.have.length(7);
  });
});

describe('revocation metrics', () => {
  it('tracks the stream: 0 until in sync, back to 0 and one reconnect per loss', async () => {
    const registry = new Registry();
    const events = revocationStreamMetrics(registry);
    const read = async () => {
      const s = await samplesOf(registry);
      return [valueOf(s, 'revocation_stream_connected'), valueOf(s, 'revocation_stream_reconnects_total')];
    };
    expect(await read()).to.deep.equal([0, 0]);
    events.connected();
    expect(await read()).to.deep.equal([1, 0]);
    events.disconnected();
    expect(await read()).to.deep.equal([0, 1]);
    events.connected();
    events.disconnected();
    expect(await read()).to.deep.equal([0, 2]);
  });

  it('reads list and subscriber sizes at scrape time', async () => {
    const registry = new Registry();
    const list = { size: 0 };
    const streams = { size: 2 };
    exposeRevokedSessions(registry, list);
    exposeRevocationSubscribers(registry, streams);
    list.size = 7;
    const s = await samplesOf(registry);
    expect(valueOf(s, 'revoked_sessions')).to.equal(7);
    expect(valueOf(s, 'revocation_subscribers')).to.equal(2);
  });
});
