import { execFile } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { expect } from 'chai';
import { openAuthStore, type AuthStore } from '../../auth-svc/store/index.js';
import { StoredLoginThrottle } from '../../auth-svc/throttle/stored-login-throttle.js';
import { storeBackends, type StoreLocation } from '../support/store-backends.js';

const BACKENDS = storeBackends((where) => openAuthStore(where), 'auth.db');
const T0 = 1_700_000_000_000;

interface Counter {
  n: number;
}

/** Adds one to `key`'s counter (kept until `expiresAt`); resolves with the count this update saw. */
const increment = (store: AuthStore, key: string, now = T0, expiresAt = T0 + 60_000) =>
  store.throttles.update([key], now, (rows) => {
    const seen = rows.get<Counter>(key)?.n ?? 0;
    rows.set(key, { n: seen + 1 }, expiresAt);
    return seen;
  });
const read = (store: AuthStore, key: string, now = T0) => store.throttles.update([key], now, (rows) => rows.get<Counter>(key)?.n);

for (const backend of BACKENDS) {
  const suite = backend.skip ? describe.skip : describe;
  suite(`throttle store contract: ${backend.name}${backend.skip ? ' (skipped: SKIP_POSTGRES=1)' : ''}`, function () {
    this.timeout(30_000);
    let location: StoreLocation<AuthStore>;
    let stores: AuthStore[];

    beforeEach(async () => {
      location = await backend.fresh();
      stores = [await location.open()];
    });
    afterEach(async () => {
      for (const s of stores) await s.close();
      location.cleanup();
    });
    /** Another process on the same database (a worker, a replica). */
    const another = async () => {
      const s = await location.open();
      stores.push(s);
      return s;
    };

    it('stores a state until it expires: read as absent from then on, and purged', async () => {
      const [store] = stores;
      expect(await increment(store!, 'k', T0, T0 + 1000)).to.equal(0);
      expect(await read(store!, 'k', T0 + 999)).to.equal(1);
      expect(await read(store!, 'k', T0 + 1000)).to.equal(undefined);
      expect(await increment(store!, 'k', T0 + 1000, T0 + 2000), 'an expired state counts as none').to.equal(0);
      expect(await store!.throttles.purgeExpired(T0 + 1999)).to.equal(0);
      expect(await store!.throttles.purgeExpired(T0 + 2000)).to.equal(1);
      expect(await read(store!, 'k', T0)).to.equal(undefined);
    });

    it('deletes a state, and keeps rows apart by key', async () => {
      const [store] = stores;
      await increment(store!, 'a');
      await increment(store!, 'b');
      await store!.throttles.update(['a'], T0, (rows) => rows.delete('a'));
      expect([await read(store!, 'a'), await read(store!, 'b')]).to.deep.equal([undefined, 1]);
    });

    it('writes nothing when the decision throws, and refuses to touch a key it did not lock', async () => {
      const [store] = stores;
      await increment(store!, 'a');
      const failed = await store!.throttles
        .update(['a'], T0, (rows) => {
          rows.set('a', { n: 99 }, T0 + 60_000);
          rows.set('b', { n: 1 }, T0 + 60_000);
        })
        .then(() => 'resolved', (err: Error) => err.message);
      expect(failed).to.match(/touched b, which it did not lock/);
      expect([await read(store!, 'a'), await read(store!, 'b')]).to.deep.equal([1, undefined]);
    });

    it('takes turns across store instances: 3 × 40 concurrent increments of one key count to 120, each seeing a distinct count', async () => {
      const all = [stores[0]!, await another(), await another()];
      const seen = await Promise.all(all.flatMap((s) => Array.from({ length: 40 }, () => increment(s, 'shared'))));
      expect(await read(all[0]!, 'shared')).to.equal(120);
      expect(new Set(seen).size, 'no two updates read the same state').to.equal(120);
    });

    it('updates several keys at once atomically, from instances locking them in different orders, without deadlock', async () => {
      const all = [stores[0]!, await another()];
      const both = (s: AuthStore, keys: string[]) =>
        s.throttles.update(keys, T0, (rows) => {
          for (const k of keys) rows.set(k, { n: (rows.get<Counter>(k)?.n ?? 0) + 1 }, T0 + 60_000);
        });
      await Promise.all(Array.from({ length: 30 }, (_, i) => both(all[i % 2]!, i % 2 ? ['x', 'y'] : ['y', 'x'])));
      expect([await read(all[0]!, 'x'), await read(all[1]!, 'y')]).to.deep.equal([30, 30]);
    });

    it('a login throttle on one instance sees the failures another recorded, and its attempts in flight', async () => {
      const now = () => T0;
      const [a, b] = [new StoredLoginThrottle(stores[0]!.throttles, 'login', { now, maxAccountFailures: 3 }), new StoredLoginThrottle((await another()).throttles, 'login', { now, maxAccountFailures: 3 })];
      for (const t of [a, b]) {
        expect(await t.admit('alice', '192.0.2.1')).to.deep.equal({ allowed: true });
        await t.settle('alice', '192.0.2.1', 'failure');
      }
      expect(await b.admit('alice', '192.0.2.2')).to.deep.equal({ allowed: true }); // the third, in flight
      expect(await a.admit('alice', '192.0.2.3'), 'no fourth check while the third may reach the limit').to.deep.equal({ allowed: false, retryAfterMs: 1000, limitedBy: 'account' });
      await b.settle('alice', '192.0.2.2', 'failure');
      expect(await a.admit('alice', '192.0.2.3')).to.deep.equal({ allowed: false, retryAfterMs: 1000, limitedBy: 'account' });
      // A different namespace is a different throttle.
      const clients = new StoredLoginThrottle(stores[0]!.throttles, 'client', { now, maxAccountFailures: 3 });
      expect(await clients.admit('alice', '192.0.2.3')).to.deep.equal({ allowed: true });
    });
  });
}

describe('throttle store: SQLite shared by several processes (workers)', function () {
  this.timeout(60_000);
  const cli = fileURLToPath(new URL('../support/throttle-increment-cli.js', import.meta.url));

  it('3 processes × 1000 increments of one row on one file: 3000, each update seeing a distinct count', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'throttle-procs-'));
    try {
      const dbPath = join(dir, 'auth.db');
      (await openAuthStore({ dbPath, databaseUrl: undefined })).close(); // migrated before the race
      const runs = await Promise.all([1, 2, 3].map(() => promisify(execFile)(process.execPath, [cli, dbPath, 'shared', '1000'])));
      const seen = runs.flatMap((r) => JSON.parse(r.stdout) as number[]);
      expect(new Set(seen).size, 'no two updates read the same state').to.equal(3000);
      const store = await openAuthStore({ dbPath, databaseUrl: undefined });
      expect(await read(store, 'shared')).to.equal(3000);
      await store.close();
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
