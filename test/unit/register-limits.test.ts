import { status } from '@grpc/grpc-js';
import { expect } from 'chai';
import { GrpcError } from '../../lib/grpc/errors.js';
import type { AuthStore } from '../../auth-svc/store/index.js';
import { openSqliteAuthStore } from '../../auth-svc/store/sqlite/sqlite-auth-store.js';
import { RegisterLimits, type RegisterLimitOptions } from '../../auth-svc/throttle/register-limits.js';

describe('RegisterLimits', () => {
  let now = 0;
  let store: AuthStore;
  const limits = (o: Partial<RegisterLimitOptions> = {}) =>
    new RegisterLimits(store.throttles, { perAddressPerHour: 6, perAddressBurst: 2, perMinute: 100, now: () => now, ...o });
  const refusal = async (admitted: Promise<void>): Promise<GrpcError> => {
    const err = await admitted.then(() => undefined, (e: unknown) => e);
    expect(err, 'expected a refusal').to.be.instanceOf(GrpcError);
    return err as GrpcError;
  };
  beforeEach(() => {
    now = 1_000_000;
    store = openSqliteAuthStore(':memory:'); // the real store, its throttle rows in memory
  });
  afterEach(() => store.close());

  it('allows a burst per address, then refuses with RESOURCE_EXHAUSTED and when to retry', async () => {
    const l = limits();
    await l.admit('10.0.0.1');
    await l.admit('10.0.0.1');
    const err = await refusal(l.admit('10.0.0.1'));
    expect(err.code).to.equal(status.RESOURCE_EXHAUSTED);
    expect(err.trailers['retry-after-seconds']).to.equal('600'); // 6 an hour: one every 10 min
    await l.admit('10.0.0.2'); // another address has its own bucket
  });

  it('refills at the steady rate', async () => {
    const l = limits();
    await l.admit('a');
    await l.admit('a');
    now += 9 * 60_000;
    await refusal(l.admit('a'));
    now += 60_000;
    await l.admit('a');
  });

  it('caps everyone together whatever the addresses', async () => {
    const l = limits({ perMinute: 3 });
    await l.admit('a');
    await l.admit('b');
    await l.admit('c');
    const err = await refusal(l.admit('d'));
    expect(err.details).to.match(/registration is busy/);
    now += 20_000; // one token back after a third of a minute
    await l.admit('d');
  });

  it('a refused attempt costs the address nothing', async () => {
    const l = limits({ perMinute: 1 });
    await l.admit('a');
    await refusal(l.admit('b')); // global cap, not b's fault
    now += 60_000;
    await l.admit('b');
  });

  it('shares its buckets with every other RegisterLimits on the same store (another worker)', async () => {
    const [one, two] = [limits(), limits()];
    await one.admit('a');
    await two.admit('a');
    await refusal(one.admit('a'));
    await refusal(two.admit('a'));
  });

  it('forgets a bucket once it is full again: its row expires and is purged', async () => {
    const l = limits();
    await l.admit('a');
    expect(await store.throttles.purgeExpired(now + 599), 'both buckets still refilling').to.equal(0);
    expect(await store.throttles.purgeExpired(now + 600), 'the global bucket: full after 0.6 s at 100 a minute').to.equal(1);
    expect(await store.throttles.purgeExpired(now + 10 * 60_000 - 1)).to.equal(0);
    expect(await store.throttles.purgeExpired(now + 10 * 60_000), "a's bucket: full after 10 min at 6 an hour").to.equal(1);
    now += 10 * 60_000;
    await l.admit('a');
    await l.admit('a'); // a purged bucket is a full one
  });
});
