import { status } from '@grpc/grpc-js';
import { expect } from 'chai';
import { GrpcError } from '../../lib/grpc/errors.js';
import { LoginGuard, RETRY_AFTER_TRAILER } from '../../auth-svc/throttle/login-guard.js';
import { LoginThrottle } from '../../auth-svc/throttle/login-throttle.js';

describe('LoginGuard', () => {
  let now = 0;
  const guard = (maxConcurrentPerAddress = 4) =>
    new LoginGuard(new LoginThrottle({ now: () => now, maxAccountFailures: 2 }), { maxConcurrentPerAddress, maxWaitingPerAccount: 2 });
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
  const tick = () => new Promise((r) => setImmediate(r));
  beforeEach(() => (now = 0));

  it('records outcomes: failures lead to RESOURCE_EXHAUSTED with a retry-after trailer, and the check is skipped', async () => {
    const g = guard();
    expect(await g.run('a', 'ip', async () => false)).to.equal(false);
    expect(await g.run('a', 'ip', async () => false)).to.equal(false);
    let checked = false;
    const err = await refusal(g.run('a', 'ip', async () => (checked = true)));
    expect(checked).to.equal(false);
    expect(err.trailers[RETRY_AFTER_TRAILER]).to.equal('1');
    expect(err.details).to.match(/failed sign-in attempts for this account/);
  });

  it('makes attempts for one account take turns, each judged after the previous outcome is recorded', async () => {
    const g = guard();
    const first = deferred();
    const started: string[] = [];
    const a1 = g.run('a', 'ip1', () => (started.push('a1'), first.promise));
    const a2 = g.run('a', 'ip2', async () => (started.push('a2'), false));
    const a3 = g.run('a', 'ip3', async () => (started.push('a3'), true));
    const b = g.run('b', 'ip1', async () => (started.push('b'), true)); // other accounts do not wait
    await tick();
    expect(started).to.deep.equal(['a1', 'b']);
    first.resolve(false);
    expect(await a1).to.equal(false);
    expect(await a2).to.equal(false); // ran after a1's failure was counted
    // Two failures recorded one after the other: the third attempt is throttled without hashing.
    await refusal(a3);
    expect(started).to.deep.equal(['a1', 'b', 'a2']);
    expect(await b).to.equal(true);
  });

  it('refuses an account\'s attempts beyond the few allowed to wait', async () => {
    const g = guard(100);
    const first = deferred();
    const running = [g.run('a', 'ip', () => first.promise), g.run('a', 'ip', async () => true), g.run('a', 'ip', async () => true)];
    const err = await refusal(g.run('a', 'ip', async () => true));
    expect(err.details).to.match(/at once for this account/);
    first.resolve(true);
    expect(await Promise.all(running)).to.deep.equal([true, true, true]);
    expect(await g.run('a', 'ip', async () => true)).to.equal(true); // released afterwards
  });

  it('bounds concurrent checks per address and releases the slot even when the check throws', async () => {
    const g = guard(2);
    const d1 = deferred();
    const d2 = deferred();
    const r1 = g.run('a', 'ip', () => d1.promise);
    const r2 = g.run('b', 'ip', () => d2.promise);
    const err = await refusal(g.run('c', 'ip', async () => true));
    expect(err.details).to.match(/at once from your address/);
    d1.resolve(false);
    d2.resolve(false);
    await Promise.all([r1, r2]);
    const boom = await g.run('d', 'ip', async () => Promise.reject(new Error('hash failed'))).catch((e: Error) => e.message);
    expect(boom).to.equal('hash failed');
    expect(await g.run('e', 'ip', async () => true)).to.equal(true);
  });
});
