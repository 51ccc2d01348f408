import { expect } from 'chai';
import type { AuthStore } from '../../auth-svc/store/index.js';
import { openSqliteAuthStore } from '../../auth-svc/store/sqlite/sqlite-auth-store.js';
import type { LoginOutcome } from '../../auth-svc/throttle/login-rules.js';
import { LoginThrottle } from '../../auth-svc/throttle/login-throttle.js';
import { StoredLoginThrottle } from '../../auth-svc/throttle/stored-login-throttle.js';

/** A small deterministic PRNG (mulberry32), so a failure can be replayed. */
function random(seed: number): () => number {
  return () => {
    seed = (seed + 0x6d2b79f5) | 0;
    let t = Math.imul(seed ^ (seed >>> 15), 1 | seed);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

describe('StoredLoginThrottle decides exactly as the in-memory LoginThrottle (same rules, state in the store)', () => {
  let store: AuthStore;
  beforeEach(() => (store = openSqliteAuthStore(':memory:')));
  afterEach(() => store.close());

  for (const seed of [1, 2, 3]) {
    it(`3,000 random attempts, outcomes and clock steps (seed ${seed}): the same decision every time`, async () => {
      const next = random(seed);
      let time = 1_700_000_000_000;
      const options = { now: () => time, maxAccountFailures: 3, maxAddressFailures: 6, knownAddressesPerAccount: 2, knownAddressTtlMs: 10 * 60_000 };
      const memory = new LoginThrottle(options);
      const stored = new StoredLoginThrottle(store.throttles, 'login', options);
      const accounts = ['alice', 'bob', 'carol'];
      const addresses = ['192.0.2.1', '192.0.2.2', '198.51.100.7'];
      const inFlight: [string, string][] = [];
      const pick = <T>(xs: readonly T[]) => xs[Math.floor(next() * xs.length)]!;
      let refused = 0;
      for (let step = 0; step < 3_000; step++) {
        time += pick([0, 0, 200, 1_000, 5_000, 40_000, 400_000]);
        if (inFlight.length > 0 && next() < 0.5) {
          const [account, address] = inFlight.splice(Math.floor(next() * inFlight.length), 1)[0]!;
          const outcome = pick<LoginOutcome>(['failure', 'failure', 'failure', 'success', 'abandoned']);
          await memory.settle(account, address, outcome);
          await stored.settle(account, address, outcome);
        } else {
          const [account, address] = [pick(accounts), pick(addresses)];
          const decision = await memory.admit(account, address);
          expect(await stored.admit(account, address), `step ${step}: ${account} from ${address}`).to.deep.equal(decision);
          if (decision.allowed) inFlight.push([account, address]);
          else refused++;
        }
      }
      expect(refused, 'the sequence reached the limits').to.be.greaterThan(100);
    });
  }
});
