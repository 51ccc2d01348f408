import { expect } from 'chai';
import { BoundedMap } from '../../auth-svc/throttle/bounded-map.js';
import { clientAddress, LoginThrottle, type LoginThrottleOptions } from '../../auth-svc/throttle/login-throttle.js';
import { readThrottleConfig } from '../../auth-svc/throttle/throttle-config.js';
import { ConfigError, EnvReader } from '../../lib/config/env-reader.js';

const SECOND = 1_000;
const MINUTE = 60 * SECOND;
const DAY = 24 * 60 * MINUTE;

const ALICE = 'alice@example.com';
const BOB = 'bob@example.com';
const HOME = '192.0.2.10';
const ATTACKER = '198.51.100.66';

/** A throttle on a fake clock that only moves when the test says so. */
function setup(options: Partial<LoginThrottleOptions> = {}) {
  let time = 1_700_000_000_000;
  const throttle = new LoginThrottle({ now: () => time, ...options });
  return {
    throttle,
    advance(ms: number) {
      time += ms;
    },
    fail(account: string, address: string, times = 1) {
      for (let i = 0; i < times; i++) throttle.recordFailure(account, address);
    },
  };
}

describe('LoginThrottle', () => {
  describe('per-account delays', () => {
    it('allows the first 5 consecutive failures without delay, then delays the 6th attempt by 1 s', () => {
      const t = setup();
      for (let i = 0; i < 5; i++) {
        expect(t.throttle.check(ALICE, ATTACKER), `attempt ${i + 1}`).to.deep.equal({ allowed: true });
        t.fail(ALICE, ATTACKER);
      }
      expect(t.throttle.check(ALICE, ATTACKER)).to.deep.equal({ allowed: false, retryAfterMs: 1 * SECOND, limitedBy: 'account' });
    });

    it('does not delay after 4 failures (threshold is not reached early)', () => {
      const t = setup();
      t.fail(ALICE, ATTACKER, 4);
      expect(t.throttle.check(ALICE, ATTACKER).allowed).to.equal(true);
    });

    it('doubles the delay with each further failure: 1 s, 2 s, 4 s, 8 s …', () => {
      const t = setup();
      t.fail(ALICE, ATTACKER, 5);
      const seen: number[] = [];
      for (let i = 0; i < 6; i++) {
        const d = t.throttle.check(ALICE, ATTACKER);
        if (d.allowed) throw new Error('expected a delay');
        seen.push(d.retryAfterMs);
        t.advance(d.retryAfterMs);
        expect(t.throttle.check(ALICE, ATTACKER).allowed).to.equal(true);
        t.fail(ALICE, ATTACKER);
      }
      expect(seen).to.deep.equal([1, 2, 4, 8, 16, 32].map((s) => s * SECOND));
    });

    it('caps the delay at 5 minutes however many failures pile up', () => {
      const t = setup({ maxAddressFailures: 10_000 }); // keep the address lockout out of the way
      t.fail(ALICE, ATTACKER, 5 + 200); // 2^200 s would overflow any sane delay
      expect(t.throttle.check(ALICE, ATTACKER)).to.deep.equal({ allowed: false, retryAfterMs: 5 * MINUTE, limitedBy: 'account' });
    });

    it('reports an exact retryAfterMs that counts down, and allows the attempt exactly when it elapses', () => {
      const t = setup();
      t.fail(ALICE, ATTACKER, 7); // third delayed attempt: 4 s
      t.advance(1_500);
      expect(t.throttle.check(ALICE, ATTACKER)).to.deep.equal({ allowed: false, retryAfterMs: 2_500, limitedBy: 'account' });
      t.advance(2_499);
      expect(t.throttle.check(ALICE, ATTACKER)).to.deep.equal({ allowed: false, retryAfterMs: 1, limitedBy: 'account' });
      t.advance(1);
      expect(t.throttle.check(ALICE, ATTACKER)).to.deep.equal({ allowed: true });
    });

    it('check() never counts as an attempt: a thousand refused checks do not grow the delay', () => {
      const t = setup();
      t.fail(ALICE, ATTACKER, 5);
      for (let i = 0; i < 1_000; i++) expect(t.throttle.check(ALICE, ATTACKER).allowed).to.equal(false);
      t.advance(1 * SECOND);
      expect(t.throttle.check(ALICE, ATTACKER).allowed).to.equal(true);
    });

    it('check() never counts as an attempt: allowed checks do not bring the threshold closer', () => {
      const t = setup();
      for (let i = 0; i < 1_000; i++) t.throttle.check(ALICE, ATTACKER);
      t.fail(ALICE, ATTACKER, 4);
      expect(t.throttle.check(ALICE, ATTACKER).allowed).to.equal(true);
      expect(t.throttle.trackedCounts).to.deep.equal({ accounts: 1, addresses: 1, knownAccounts: 0 });
    });

    it('a success resets the account: 5 more failures are needed before the next delay', () => {
      const t = setup();
      t.fail(ALICE, ATTACKER, 8);
      t.advance(5 * MINUTE);
      t.throttle.recordSuccess(ALICE, HOME);
      t.fail(ALICE, ATTACKER, 4);
      expect(t.throttle.check(ALICE, ATTACKER).allowed).to.equal(true);
      t.fail(ALICE, ATTACKER);
      expect(t.throttle.check(ALICE, ATTACKER)).to.deep.equal({ allowed: false, retryAfterMs: 1 * SECOND, limitedBy: 'account' });
    });

    it('counts only consecutive failures: a success in between starts the count again', () => {
      const t = setup();
      t.fail(ALICE, HOME, 4);
      t.throttle.recordSuccess(ALICE, HOME);
      t.fail(ALICE, ATTACKER, 4);
      expect(t.throttle.check(ALICE, ATTACKER).allowed).to.equal(true);
    });

    it('forgets the failures after an hour without one, and not a millisecond before', () => {
      const t = setup({ maxAddressFailures: 10_000 });
      t.fail(ALICE, ATTACKER, 30);
      t.advance(60 * MINUTE - 1);
      expect(t.throttle.check(ALICE, ATTACKER).allowed).to.equal(true); // delay (5 min cap) long over
      t.fail(ALICE, ATTACKER); // still counting: 31 failures, delay stays capped
      expect(t.throttle.check(ALICE, ATTACKER)).to.deep.equal({ allowed: false, retryAfterMs: 5 * MINUTE, limitedBy: 'account' });
      t.advance(60 * MINUTE);
      t.fail(ALICE, ATTACKER, 5); // decayed: these are failures 1 to 5 again
      expect(t.throttle.check(ALICE, ATTACKER)).to.deep.equal({ allowed: false, retryAfterMs: 1 * SECOND, limitedBy: 'account' });
    });

    it('keeps accounts apart: failures on one never delay another', () => {
      const t = setup({ maxAddressFailures: 1_000 });
      t.fail(ALICE, ATTACKER, 50);
      expect(t.throttle.check(BOB, ATTACKER).allowed).to.equal(true);
    });

    it('delays the account from every unknown address, not only the one that failed', () => {
      const t = setup();
      t.fail(ALICE, ATTACKER, 6);
      expect(t.throttle.check(ALICE, '203.0.113.7')).to.deep.equal({ allowed: false, retryAfterMs: 2 * SECOND, limitedBy: 'account' });
    });
  });

  describe('known-good addresses ("not forever")', () => {
    it('exempts an address that logged in to the account recently from the account delay', () => {
      const t = setup({ maxAddressFailures: 10_000 });
      t.throttle.recordSuccess(ALICE, HOME);
      t.fail(ALICE, ATTACKER, 40);
      expect(t.throttle.check(ALICE, ATTACKER)).to.deep.include({ allowed: false, limitedBy: 'account' });
      expect(t.throttle.check(ALICE, HOME)).to.deep.equal({ allowed: true });
    });

    it('does not exempt an address that never logged in to the account', () => {
      const t = setup();
      t.throttle.recordSuccess(ALICE, HOME);
      t.fail(ALICE, ATTACKER, 6);
      expect(t.throttle.check(ALICE, '203.0.113.7').allowed).to.equal(false);
    });

    it('is per account: a success on another account does not exempt the address', () => {
      const t = setup();
      t.throttle.recordSuccess(BOB, ATTACKER); // attacker owns a real account
      t.fail(ALICE, ATTACKER, 6);
      expect(t.throttle.check(ALICE, ATTACKER)).to.deep.include({ allowed: false, limitedBy: 'account' });
    });

    it('does not exempt a known-good address from its own address lockout', () => {
      const t = setup();
      t.throttle.recordSuccess(ALICE, HOME);
      for (let i = 0; i < 20; i++) t.fail(`user${i}@example.com`, HOME);
      expect(t.throttle.check(ALICE, HOME)).to.deep.equal({ allowed: false, retryAfterMs: 1 * MINUTE, limitedBy: 'address' });
    });

    it('forgets a known-good address after 30 days', () => {
      const t = setup();
      t.throttle.recordSuccess(ALICE, HOME);
      t.advance(30 * DAY - 1);
      t.fail(ALICE, ATTACKER, 6);
      expect(t.throttle.check(ALICE, HOME).allowed).to.equal(true);
      t.advance(1);
      expect(t.throttle.check(ALICE, HOME)).to.deep.include({ allowed: false, limitedBy: 'account' });
    });

    it('forgets each address 30 days after its own last success, even while the account has newer ones', () => {
      const t = setup();
      t.throttle.recordSuccess(ALICE, HOME);
      t.advance(20 * DAY);
      t.throttle.recordSuccess(ALICE, '10.0.0.1');
      t.advance(10 * DAY);
      t.fail(ALICE, ATTACKER, 6);
      expect(t.throttle.check(ALICE, HOME)).to.deep.include({ allowed: false, limitedBy: 'account' });
      expect(t.throttle.check(ALICE, '10.0.0.1').allowed).to.equal(true);
    });

    it('remembers only the 5 most recent addresses per account', () => {
      const t = setup();
      const addresses = ['10.0.0.1', '10.0.0.2', '10.0.0.3', '10.0.0.4', '10.0.0.5', '10.0.0.6'];
      for (const a of addresses) t.throttle.recordSuccess(ALICE, a);
      t.throttle.recordSuccess(ALICE, '10.0.0.2'); // refreshing keeps it; 10.0.0.1 was pushed out already
      t.throttle.recordSuccess(ALICE, '10.0.0.7'); // pushes out 10.0.0.3, the oldest now
      t.fail(ALICE, ATTACKER, 6);
      const exempt = ['10.0.0.1', '10.0.0.2', '10.0.0.3', '10.0.0.4', '10.0.0.5', '10.0.0.6', '10.0.0.7'].filter(
        (a) => t.throttle.check(ALICE, a).allowed,
      );
      expect(exempt).to.deep.equal(['10.0.0.2', '10.0.0.4', '10.0.0.5', '10.0.0.6', '10.0.0.7']);
    });
  });

  describe('per-address lockouts', () => {
    it('locks an address after 20 failures on any accounts within 15 minutes, not after 19', () => {
      const t = setup();
      for (let i = 0; i < 19; i++) t.fail(`user${i}@example.com`, ATTACKER);
      expect(t.throttle.check('new@example.com', ATTACKER).allowed).to.equal(true);
      t.fail('user19@example.com', ATTACKER);
      expect(t.throttle.check('new@example.com', ATTACKER)).to.deep.equal({ allowed: false, retryAfterMs: 1 * MINUTE, limitedBy: 'address' });
      expect(t.throttle.check('new@example.com', HOME).allowed).to.equal(true);
    });

    it('counts failures per window: 19 failures, a window later 19 more, no lockout', () => {
      const t = setup();
      for (let i = 0; i < 19; i++) t.fail(`user${i}@example.com`, ATTACKER);
      t.advance(15 * MINUTE);
      for (let i = 0; i < 19; i++) t.fail(`user${i}@example.com`, ATTACKER);
      expect(t.throttle.check('new@example.com', ATTACKER).allowed).to.equal(true);
      t.fail('user19@example.com', ATTACKER);
      expect(t.throttle.check('new@example.com', ATTACKER).allowed).to.equal(false);
    });

    it('uses fixed windows from the first failure: 19 in 15 minutes, then 1 more as a new window opens, no lockout', () => {
      const t = setup();
      t.fail('a@example.com', ATTACKER, 10);
      t.advance(14 * MINUTE);
      for (let i = 0; i < 9; i++) t.fail(`user${i}@example.com`, ATTACKER);
      t.advance(1 * MINUTE);
      t.fail('z@example.com', ATTACKER);
      expect(t.throttle.check('new@example.com', ATTACKER).allowed).to.equal(true);
      for (let i = 0; i < 18; i++) t.fail(`user${i}@example.com`, ATTACKER);
      expect(t.throttle.check('new@example.com', ATTACKER).allowed).to.equal(true);
      t.fail('z@example.com', ATTACKER);
      expect(t.throttle.check('new@example.com', ATTACKER)).to.deep.include({ allowed: false, limitedBy: 'address' });
    });

    it('opens the next window when a lockout ends, so lockout time does not use up the window', () => {
      const t = setup();
      t.fail(ALICE, ATTACKER, 20); // locked for 1 minute
      t.advance(1 * MINUTE);
      for (let i = 0; i < 19; i++) t.fail(`user${i}@example.com`, ATTACKER);
      t.advance(15 * MINUTE - 1);
      t.fail('z@example.com', ATTACKER);
      expect(t.throttle.check('new@example.com', ATTACKER)).to.deep.equal({ allowed: false, retryAfterMs: 2 * MINUTE, limitedBy: 'address' });
    });

    it('grows lockouts 1, 2, 4, 8 minutes, capped at 15, and allows exactly when each ends', () => {
      const t = setup();
      const seen: number[] = [];
      for (let round = 0; round < 7; round++) {
        for (let i = 0; i < 20; i++) t.fail(`user${i}@example.com`, ATTACKER);
        const d = t.throttle.check(ALICE, ATTACKER);
        if (d.allowed) throw new Error('expected a lockout');
        seen.push(d.retryAfterMs);
        t.advance(d.retryAfterMs - 1);
        expect(t.throttle.check(ALICE, ATTACKER).allowed).to.equal(false);
        t.advance(1);
        expect(t.throttle.check(ALICE, ATTACKER).allowed).to.equal(true);
      }
      expect(seen).to.deep.equal([1, 2, 4, 8, 15, 15, 15].map((m) => m * MINUTE));
    });

    it('forgets past lockouts after a quiet window: the next lockout is 1 minute again', () => {
      const t = setup();
      for (let round = 0; round < 3; round++) {
        for (let i = 0; i < 20; i++) t.fail(`user${i}@example.com`, ATTACKER);
        t.advance(8 * MINUTE);
      }
      t.advance(15 * MINUTE);
      for (let i = 0; i < 20; i++) t.fail(`user${i}@example.com`, ATTACKER);
      expect(t.throttle.check(ALICE, ATTACKER)).to.deep.equal({ allowed: false, retryAfterMs: 1 * MINUTE, limitedBy: 'address' });
    });

    it('a success from the address does not clear its failures (no laundering with a valid account)', () => {
      const t = setup();
      for (let i = 0; i < 19; i++) t.fail(`user${i}@example.com`, ATTACKER);
      t.throttle.recordSuccess(BOB, ATTACKER);
      t.fail('user19@example.com', ATTACKER);
      expect(t.throttle.check(BOB, ATTACKER)).to.deep.include({ allowed: false, limitedBy: 'address' });
    });

    it('refused checks during a lockout do not extend it', () => {
      const t = setup();
      for (let i = 0; i < 20; i++) t.fail(`user${i}@example.com`, ATTACKER);
      for (let i = 0; i < 1_000; i++) t.throttle.check(ALICE, ATTACKER);
      t.advance(1 * MINUTE);
      expect(t.throttle.check(ALICE, ATTACKER).allowed).to.equal(true);
    });

    it('reports the longer of two waits, naming what imposes it', () => {
      const t = setup();
      t.fail(ALICE, ATTACKER, 20); // account: 15 failures past the limit → capped 5 min; address: 1 min lockout
      expect(t.throttle.check(ALICE, ATTACKER)).to.deep.equal({ allowed: false, retryAfterMs: 5 * MINUTE, limitedBy: 'account' });
      const u = setup();
      u.fail(ALICE, ATTACKER, 5);
      for (let i = 0; i < 15; i++) u.fail(`user${i}@example.com`, ATTACKER);
      expect(u.throttle.check(ALICE, ATTACKER)).to.deep.equal({ allowed: false, retryAfterMs: 1 * MINUTE, limitedBy: 'address' });
    });
  });

  describe('bounded memory', () => {
    it('tracks at most maxTrackedKeys accounts and addresses, evicting the least recently updated', () => {
      const t = setup({ maxTrackedKeys: 3 });
      t.fail(ALICE, '10.0.0.1', 6);
      t.fail('b@example.com', '10.0.0.2');
      t.fail('c@example.com', '10.0.0.3');
      t.fail(ALICE, '10.0.0.1'); // alice and 10.0.0.1 are now the most recent
      t.fail('d@example.com', '10.0.0.4'); // evicts b and 10.0.0.2
      expect(t.throttle.trackedCounts).to.deep.equal({ accounts: 3, addresses: 3, knownAccounts: 0 });
      expect(t.throttle.check(ALICE, '10.0.0.9')).to.deep.include({ allowed: false, limitedBy: 'account' });
      t.fail('b@example.com', '10.0.0.9', 4); // b's first failure was forgotten: 4, not 5, so far
      expect(t.throttle.check('b@example.com', '10.0.0.9').allowed).to.equal(true);
    });

    it('holds its caps under a flood of 10 000 distinct accounts and addresses', () => {
      const t = setup({ maxTrackedKeys: 100 });
      for (let i = 0; i < 10_000; i++) {
        t.throttle.recordFailure(`user${i}@example.com`, `10.0.${i >> 8}.${i & 255}`);
        t.throttle.recordSuccess(`user${i}@example.com`, `10.0.${i >> 8}.${i & 255}`);
      }
      const counts = t.throttle.trackedCounts;
      expect(counts.addresses).to.equal(100);
      expect(counts.knownAccounts).to.equal(100);
      expect(counts.accounts).to.equal(0); // every success removed its account
    });

    it('drops expired entries as it goes, without timers', () => {
      const t = setup();
      for (let i = 0; i < 5; i++) t.fail(`user${i}@example.com`, `10.0.0.${i}`);
      t.advance(60 * MINUTE);
      t.fail(ALICE, HOME); // the write sweeps the expired ones
      expect(t.throttle.trackedCounts).to.deep.equal({ accounts: 1, addresses: 1, knownAccounts: 0 });
    });
  });

  describe('options', () => {
    const bad: Record<string, Partial<LoginThrottleOptions>> = {
      'a zero threshold': { maxAccountFailures: 0 },
      'a negative delay': { accountBaseDelayMs: -1 },
      'a fractional count': { maxTrackedKeys: 1.5 },
      'NaN': { addressWindowMs: Number.NaN },
      'a cap below its base': { addressBaseLockoutMs: 10 * MINUTE, addressMaxLockoutMs: 1 * MINUTE },
      'a decay no longer than the max delay': { accountMaxDelayMs: 60 * MINUTE, accountDecayMs: 60 * MINUTE },
    };
    for (const [name, options] of Object.entries(bad)) {
      it(`refuses ${name}`, () => {
        expect(() => new LoginThrottle(options)).to.throw(RangeError);
      });
    }

    it('honours custom thresholds', () => {
      const t = setup({ maxAccountFailures: 2, accountBaseDelayMs: 10, accountMaxDelayMs: 40 });
      t.fail(ALICE, ATTACKER, 2);
      expect(t.throttle.check(ALICE, ATTACKER)).to.deep.include({ retryAfterMs: 10 });
      t.fail(ALICE, ATTACKER, 10);
      expect(t.throttle.check(ALICE, ATTACKER)).to.deep.include({ retryAfterMs: 40 });
    });
  });
});

describe('LoginThrottle: attempts in flight (admit, then settle)', () => {
  it('admits while recorded failures plus attempts in flight stay below the limit, then refuses until they settle', async () => {
    const t = setup();
    t.fail(ALICE, ATTACKER, 3);
    expect(await t.throttle.admit(ALICE, ATTACKER)).to.deep.equal({ allowed: true }); // 4th
    expect(await t.throttle.admit(ALICE, '203.0.113.7')).to.deep.equal({ allowed: true }); // 5th: 3 + 2 in flight reach 5
    expect(await t.throttle.admit(ALICE, '203.0.113.8'), 'no 6th check while those two decide').to.deep.equal({ allowed: false, retryAfterMs: 1 * SECOND, limitedBy: 'account' });
    await t.throttle.settle(ALICE, ATTACKER, 'failure');
    await t.throttle.settle(ALICE, '203.0.113.7', 'failure');
    expect(t.throttle.check(ALICE, ATTACKER)).to.deep.equal({ allowed: false, retryAfterMs: 1 * SECOND, limitedBy: 'account' }); // 5 failures: the usual delay
  });

  it('a success in flight frees its place; an abandoned attempt (its check threw) counts as nothing', async () => {
    const t = setup({ maxAccountFailures: 3 });
    t.fail(ALICE, ATTACKER, 2);
    await t.throttle.admit(ALICE, HOME);
    expect((await t.throttle.admit(ALICE, ATTACKER)).allowed).to.equal(false);
    await t.throttle.settle(ALICE, HOME, 'abandoned');
    expect(t.throttle.check(ALICE, ATTACKER).allowed, 'still 2 failures').to.equal(true);
    await t.throttle.admit(ALICE, HOME);
    await t.throttle.settle(ALICE, HOME, 'success');
    t.fail(ALICE, ATTACKER, 2);
    expect(t.throttle.check(ALICE, ATTACKER).allowed, 'the success reset the count').to.equal(true);
  });

  it('a known-good address is not held up by attempts in flight from elsewhere', async () => {
    const t = setup({ maxAccountFailures: 3 });
    t.throttle.recordSuccess(ALICE, HOME);
    t.fail(ALICE, ATTACKER, 2);
    await t.throttle.admit(ALICE, ATTACKER);
    expect((await t.throttle.admit(ALICE, '203.0.113.7')).allowed).to.equal(false);
    expect(await t.throttle.admit(ALICE, HOME)).to.deep.equal({ allowed: true });
  });

  it('counts attempts in flight from one address against its lockout threshold too', async () => {
    const t = setup({ maxAddressFailures: 5 });
    for (let i = 0; i < 3; i++) t.fail(`user${i}@example.com`, ATTACKER);
    await t.throttle.admit('a@example.com', ATTACKER);
    await t.throttle.admit('b@example.com', ATTACKER);
    expect(await t.throttle.admit('c@example.com', ATTACKER)).to.deep.equal({ allowed: false, retryAfterMs: 1 * SECOND, limitedBy: 'address' });
    await t.throttle.settle('a@example.com', ATTACKER, 'success'); // a success never counts against the address
    expect(await t.throttle.admit('c@example.com', ATTACKER)).to.deep.equal({ allowed: true });
  });

  it('a lease lapses after 30 s (its process died before settling)', async () => {
    const t = setup({ maxAccountFailures: 3 });
    t.fail(ALICE, ATTACKER, 2);
    await t.throttle.admit(ALICE, ATTACKER);
    t.advance(30 * SECOND - 1);
    expect((await t.throttle.admit(ALICE, ATTACKER)).allowed).to.equal(false);
    t.advance(1);
    expect(await t.throttle.admit(ALICE, ATTACKER)).to.deep.equal({ allowed: true });
  });

  it('refused admissions change nothing', async () => {
    const t = setup();
    t.fail(ALICE, ATTACKER, 5);
    for (let i = 0; i < 100; i++) expect((await t.throttle.admit(ALICE, ATTACKER)).allowed).to.equal(false);
    t.advance(1 * SECOND);
    expect(await t.throttle.admit(ALICE, ATTACKER)).to.deep.equal({ allowed: true });
  });
});

describe('BoundedMap', () => {
  it('reading does not refresh an entry; writing does', () => {
    const m = new BoundedMap<string, number>(2);
    m.set('a', 1);
    m.set('b', 2);
    m.get('a');
    m.set('c', 3);
    expect([m.get('a'), m.get('b'), m.get('c')]).to.deep.equal([undefined, 2, 3]);
    m.set('b', 4);
    m.set('d', 5);
    expect([m.get('b'), m.get('c'), m.get('d')]).to.deep.equal([4, undefined, 5]);
  });

  it('sweeps at most `limit` expired entries and stops at the first live one', () => {
    const m = new BoundedMap<string, number>(10);
    for (const [k, v] of [['a', 0], ['b', 0], ['c', 1], ['d', 0]] as const) m.set(k, v);
    m.sweep((v) => v === 0, 1);
    expect(m.size).to.equal(3);
    m.sweep((v) => v === 0, 10);
    expect([m.get('b'), m.get('c'), m.get('d')]).to.deep.equal([undefined, 1, 0]);
  });
});

describe('clientAddress', () => {
  const cases: Array<[string, string]> = [
    ['ipv4:127.0.0.1:51234', '127.0.0.1'],
    ['ipv6:[::1]:51234', '::/64'],
    ['127.0.0.1:51234', '127.0.0.1'],
    ['[::1]:51234', '::/64'],
    ['ipv6:[2001:DB8::AB]:443', '2001:db8::/64'],
    ['[::ffff:192.0.2.1]:5000', '192.0.2.1'],
    ['ipv6:[::FFFF:192.0.2.1]:5000', '192.0.2.1'],
    ['[::ffff:999.0.2.1]:5000', '[::ffff:999.0.2.1]:5000'],
    ['192.0.2.1', '192.0.2.1'],
    ['[fe80::1]', 'fe80::/64'],
    ['unix:/tmp/grpc.sock', 'unix:/tmp/grpc.sock'],
    ['unix:', 'unix:'],
    ['', ''],
    ['localhost:50051', 'localhost:50051'],
    ['[::1', '[::1'],
    ['[::1]:port', '[::1]:port'],
    ['[not-an-ip]:1', '[not-an-ip]:1'],
    ['999.1.1.1:80', '999.1.1.1:80'],
    ['ipv4:127.0.0.1:51234:1', 'ipv4:127.0.0.1:51234:1'],
  ];
  for (const [peer, expected] of cases) {
    it(`${JSON.stringify(peer)} → ${JSON.stringify(expected)}`, () => {
      expect(clientAddress(peer)).to.equal(expected);
    });
  }

  it('gives an IPv4 client the same key whether it arrives over IPv4 or as IPv4-mapped IPv6', () => {
    expect(clientAddress('ipv4:192.0.2.1:1')).to.equal(clientAddress('ipv6:[::ffff:192.0.2.1]:2'));
  });
});

describe('readThrottleConfig', () => {
  it('uses the documented defaults', () => {
    const env = new EnvReader({});
    expect(readThrottleConfig(env)).to.deep.equal({
      maxAccountFailures: 5,
      accountMaxDelayMs: 300_000,
      maxAddressFailures: 20,
      addressMaxLockoutMs: 900_000,
    });
    expect(env.finish()).to.deep.equal([]);
  });

  it('reads every variable, converting seconds to milliseconds', () => {
    const env = new EnvReader({
      LOGIN_MAX_ACCOUNT_FAILURES: '10',
      LOGIN_MAX_DELAY_SECONDS: '60',
      LOGIN_MAX_ADDRESS_FAILURES: '100',
      LOGIN_MAX_ADDRESS_LOCKOUT_SECONDS: '3600',
    });
    const config = readThrottleConfig(env);
    expect(config).to.deep.equal({ maxAccountFailures: 10, accountMaxDelayMs: 60_000, maxAddressFailures: 100, addressMaxLockoutMs: 3_600_000 });
    expect(() => new LoginThrottle(config)).to.not.throw();
  });

  it('refuses out-of-range values, all at once', () => {
    const env = new EnvReader({
      LOGIN_MAX_ACCOUNT_FAILURES: '0',
      LOGIN_MAX_DELAY_SECONDS: '1801',
      LOGIN_MAX_ADDRESS_FAILURES: 'many',
      LOGIN_MAX_ADDRESS_LOCKOUT_SECONDS: '59',
    });
    readThrottleConfig(env);
    try {
      env.finish();
      expect.fail('expected a ConfigError');
    } catch (err) {
      expect(err).to.be.instanceOf(ConfigError);
      expect((err as ConfigError).problems.map((p) => p.split(' ')[0])).to.have.members([
        'LOGIN_MAX_ACCOUNT_FAILURES',
        'LOGIN_MAX_DELAY_SECONDS',
        'LOGIN_MAX_ADDRESS_FAILURES',
        'LOGIN_MAX_ADDRESS_LOCKOUT_SECONDS',
      ]);
    }
  });

  it('every value within the bounds builds a valid throttle (extremes)', () => {
    for (const [failures, delay, lockout] of [['3', '1', '60'], ['100', '1800', '3600']] as const) {
      const config = readThrottleConfig(
        new EnvReader({ LOGIN_MAX_ACCOUNT_FAILURES: failures, LOGIN_MAX_DELAY_SECONDS: delay, LOGIN_MAX_ADDRESS_LOCKOUT_SECONDS: lockout }),
      );
      expect(() => new LoginThrottle(config)).to.not.throw();
    }
  });
});
