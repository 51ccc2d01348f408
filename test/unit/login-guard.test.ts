import { status } from '@grpc/grpc-js';
import { expect } from 'chai';
import { GrpcError } from '../../lib/grpc/errors.js';
import { LoginGuard, RETRY_AFTER_TRAILER } from '../../auth-svc/throttle/login-guard.js';
import { LoginThrottle } from '../../auth-svc/throttle/login-throttle.js';

describe('LoginGuard', () => {
  let now = 0;
  const guard = (maxPerAddress = 4) => new LoginGuard(new LoginThrottle({ now: () => now, maxAccountFailures: 2 }), maxPerAddress);
  const deferred = () => {
    let resolve!: (ok: boolean) => void;
    const promise = new Promise<boolean>((r) => (resolve = r));
    return { promise, resolve };
  };
  const refusal = async (p: Promise<unknown>) => {
    const err = await p.then(() => undefined, (e: unknown) => e);
    expect(err).to.be.instanceOf(GrpcError);
    expect((err as GrpcError).code).to.equal(status.RESOURCE_EXHAUSTED);
    return err as GrpcError;
  };
  beforeEach(() => (now = 0));

  it('records outcomes: failures lead to RESOURCE_EXHAUSTED with a retry-after trailer, and the check is skipped', async () => {
    const g = guard();
    expect(await g.run('a', 'ip', async () => false)).to.equal(false);
    expect(await g.run('a', 'ip', async () => false)).to.equal(false);
    let checked = false;
    const err = await refusal(g.run('a', 'ip', async () => (checked = true)));
    expect(checked).to.equal(false);
    expect(err.trailers[RETRY_AFTER_TRAILER]).to.equal('1');
    expect(err.details).to.match(/this account/);
  });

  it('allows one password check per account at a time', async () => {
    const g = guard();
    const slow = deferred();
    const first = g.run('a', 'ip1', () => slow.promise);
    await refusal(g.run('a', 'ip2', async () => true));
    expect(await g.run('b', 'ip1', async () => true)).to.equal(true); // other accounts go on
    slow.resolve(true);
    expect(await first).to.equal(true);
    expect(await g.run('a', 'ip2', async () => true)).to.equal(true); // released afterwards
  });

  it('bounds concurrent checks per address and releases the slot even when the check throws', async () => {
    const g = guard(2);
    const d1 = deferred();
    const d2 = deferred();
    const r1 = g.run('a', 'ip', () => d1.promise);
    const r2 = g.run('b', 'ip', () => d2.promise);
    await refusal(g.run('c', 'ip', async () => true));
    d1.resolve(false);
    d2.resolve(false);
    await Promise.all([r1, r2]);
    const boom = await g.run('d', 'ip', async () => Promise.reject(new Error('hash failed'))).catch((e: Error) => e.message);
    expect(boom).to.equal('hash failed');
    expect(await g.run('e', 'ip', async () => true)).to.equal(true);
  });
});
