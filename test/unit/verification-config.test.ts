import { expect } from 'chai';
import { loadAuthConfig } from '../../auth-svc/config.js';
import { loadBusinessConfig } from '../../business-svc/config.js';
import { problemsOf, valueOf } from './fixtures.js';

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
