import { expect } from 'chai';
import { JwksCache } from '@grpc-token-auth/server-kit';
import { SqliteKeyStore } from '../../auth-svc/store/sqlite/key-store.js';
import { AUTH_MIGRATIONS } from '../../auth-svc/store/sqlite/migrations.js';
import { KeyRing } from '../../auth-svc/tokens/key-ring.js';
import { openDatabase } from '../../lib/sqlite/database.js';

describe('KeyRing (auth-svc signing keys)', () => {
  it('publishes a rotated key ahead of signing, then retires the old one after the verify window', async () => {
    let now = 1_000_000;
    const db = openDatabase(':memory:', AUTH_MIGRATIONS);
    const ring = new KeyRing(new SqliteKeyStore(db), { alg: 'ES256', verifyWindowMs: 10_000, now: () => now });
    await ring.ensureKey();
    const first = ring.signingKey().kid;
    now += 5_000;
    const second = await ring.rotate(2_000);
    now += 1_000;
    expect(ring.publicKeys().map((k) => k.kid)).to.have.members([first, second]);
    expect(ring.signingKey().kid, 'old key still signs during publish-ahead').to.equal(first);
    now += 1_500;
    expect(ring.signingKey().kid).to.equal(second);
    now += 9_000; // retired 2.5 s after rotation + 10 s window not yet over
    expect(ring.publicKeys().map((k) => k.kid)).to.include(first);
    now += 2_000;
    expect(ring.publicKeys().map((k) => k.kid)).to.deep.equal([second]);
    expect(ring.verificationKeys().map((k) => k.kid)).to.deep.equal([second]);
    db.close();
  });
});

describe('JwksCache', () => {
  it('drops keys that the issuer no longer publishes, and keeps them when the issuer is unreachable', async () => {
    let answer: () => Promise<{ keys: never[] }> = () => Promise.resolve({ keys: [] });
    const cache = new JwksCache({ fetch: () => answer(), refreshIntervalMs: 60_000, minFetchIntervalMs: 0 });
    const db = openDatabase(':memory:', AUTH_MIGRATIONS);
    const ring = new KeyRing(new SqliteKeyStore(db), { alg: 'RS256', verifyWindowMs: 1000 });
    await ring.ensureKey();
    const [jwk] = ring.publicKeys();
    answer = () => Promise.resolve({ keys: [jwk] as never[] });
    await cache.start();
    expect(cache.find(jwk!.kid)?.alg).to.equal('RS256');
    answer = () => Promise.reject(new Error('auth-svc down'));
    await cache.refresh();
    expect(cache.find(jwk!.kid), 'kept while the issuer is down').to.not.equal(undefined);
    answer = () => Promise.resolve({ keys: [] });
    await cache.refresh();
    expect(cache.find(jwk!.kid), 'gone once no longer published').to.equal(undefined);
    cache.stop();
    db.close();
  });

  it('coalesces and rate-limits fetches triggered by unknown kids', async () => {
    let fetches = 0;
    const cache = new JwksCache({ fetch: async () => (fetches++, { keys: [] }), refreshIntervalMs: 60_000, minFetchIntervalMs: 60_000 });
    await cache.start();
    for (let i = 0; i < 1000; i++) expect(cache.find(`unknown-${i}`)).to.equal(undefined);
    await new Promise((r) => setImmediate(r));
    expect(fetches).to.equal(1);
    cache.stop();
  });

  it('refuses published keys that are symmetric or mislabelled', async () => {
    const bad = [
      { kid: 'h', alg: 'HS256', kty: 'oct', use: 'sig', n: '', e: '', crv: '', x: '', y: '' },
      { kid: 'm', alg: 'RS256', kty: 'EC', use: 'sig', n: '', e: '', crv: 'P-256', x: 'AA', y: 'AA' },
      { kid: 'n', alg: 'none', kty: 'RSA', use: 'sig', n: 'AQAB', e: 'AQAB', crv: '', x: '', y: '' },
    ];
    const cache = new JwksCache({ fetch: async () => ({ keys: bad }), refreshIntervalMs: 60_000, minFetchIntervalMs: 0 });
    await cache.start();
    expect(cache.size).to.equal(0);
    cache.stop();
  });
});
