import { expect } from 'chai';
import { loadAuthConfig } from '../../auth-svc/config.js';
import { loadBusinessConfig } from '../../business-svc/config.js';
import { benchVerifier } from '../../lib/authn/bench-verifier.js';
import { problemsOf, valueOf } from './fixtures.js';

describe('BENCH_DISABLE_AUTH', () => {
  it('is off by default, and with 0', () => {
    expect(loadBusinessConfig({}).benchNoAuthSubject).to.equal(undefined);
    expect(loadBusinessConfig({ BENCH_DISABLE_AUTH: '0', BENCH_SUBJECT: 'u-1' }).benchNoAuthSubject).to.equal(undefined);
  });

  it('is refused when NODE_ENV=production', () => {
    expect(problemsOf(() => loadBusinessConfig({ NODE_ENV: 'production', BENCH_DISABLE_AUTH: '1', SERVICE_CLIENT_ID: 'c', SERVICE_CLIENT_SECRET: 's' }))).to.deep.equal([
      'BENCH_DISABLE_AUTH is a benchmark-only switch and is refused when NODE_ENV=production',
    ]);
  });

  it('turns on outside production with a loud start-up warning', () => {
    const config = loadBusinessConfig({ BENCH_DISABLE_AUTH: '1' });
    expect(config.benchNoAuthSubject).to.equal('bench-user');
    expect(config.warnings.join('\n')).to.contain('TOKEN VERIFICATION IS OFF');
    expect(loadBusinessConfig({ BENCH_DISABLE_AUTH: '1', BENCH_SUBJECT: 'u-1' }).benchNoAuthSubject).to.equal('u-1');
  });

  it('refuses values other than 0 and 1 (no "true" that someone reads as off)', () => {
    for (const raw of ['true', 'yes', '2']) {
      expect(problemsOf(() => loadBusinessConfig({ BENCH_DISABLE_AUTH: raw }))[0]).to.contain('BENCH_DISABLE_AUTH must be 0 or 1');
    }
  });

  it('answers every token with the fixed benchmark principal', () => {
    const verify = benchVerifier('u-1');
    expect(valueOf(verify('a.b.c')).subject).to.equal('u-1');
    expect(valueOf(verify('x.y.z'))).to.include({ subject: 'u-1', token: 'x.y.z' });
  });
});

describe('TOKEN_CACHE_MAX_ENTRIES', () => {
  it('defaults to 10000 in both services, accepts 0 (off) and refuses negatives', () => {
    expect(loadBusinessConfig({}).tokenCacheMaxEntries).to.equal(10_000);
    expect(loadAuthConfig({}).tokenCacheMaxEntries).to.equal(10_000);
    expect(loadBusinessConfig({ TOKEN_CACHE_MAX_ENTRIES: '0' }).tokenCacheMaxEntries).to.equal(0);
    expect(problemsOf(() => loadBusinessConfig({ TOKEN_CACHE_MAX_ENTRIES: '-1' }))[0]).to.contain('TOKEN_CACHE_MAX_ENTRIES');
  });
});

describe('PASSWORD_HASH_CONCURRENCY', () => {
  it('defaults to at least 1 and accepts 1 to 64', () => {
    expect(loadAuthConfig({}).passwordHashConcurrency).to.be.at.least(1);
    expect(loadAuthConfig({ PASSWORD_HASH_CONCURRENCY: '3' }).passwordHashConcurrency).to.equal(3);
    expect(problemsOf(() => loadAuthConfig({ PASSWORD_HASH_CONCURRENCY: '0' }))[0]).to.contain('PASSWORD_HASH_CONCURRENCY');
  });
});
