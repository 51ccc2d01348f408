import type { ThrottleRows, ThrottleStore } from '../store/throttle-store.js';
import type { LoginLimiter } from './login-guard.js';
import { loadLoginState, LoginRules, storeLoginState, type LoginOutcome, type LoginSlots, type LoginState, type ThrottleDecision } from './login-rules.js';
import { DEFAULT_LOGIN_THROTTLE_OPTIONS, type LoginThrottleOptions } from './login-throttle.js';

/**
 * The login throttle with its state in the auth store: every worker (SQLite) and every replica
 * (PostgreSQL) reads and writes the same rows, one decision at a time per row (ThrottleStore), so
 * the fleet allows exactly what one process would. `namespace` keeps separate throttles apart
 * in the one table ("login" for passwords, "client" for service-client secrets).
 */
export class StoredLoginThrottle implements LoginLimiter {
  private readonly rules: LoginRules;
  private readonly now: () => number;

  constructor(
    private readonly store: ThrottleStore,
    private readonly namespace: string,
    options: Partial<Omit<LoginThrottleOptions, 'maxTrackedKeys'>> = {},
  ) {
    const o = { ...DEFAULT_LOGIN_THROTTLE_OPTIONS, ...options };
    this.rules = new LoginRules(o);
    this.now = o.now;
  }

  admit(account: string, address: string): Promise<ThrottleDecision> {
    return this.apply(account, address, (s, now) => {
      const decision = this.rules.decide(s, address, now);
      return { decision, next: decision.allowed ? this.rules.admitted(s, now) : s };
    });
  }

  settle(account: string, address: string, outcome: LoginOutcome): Promise<void> {
    return this.apply(account, address, (s, now) => ({ decision: undefined, next: this.rules.settled(s, address, outcome, now) }));
  }

  private apply<R>(account: string, address: string, step: (s: LoginState, now: number) => { decision: R; next: LoginState }): Promise<R> {
    const keys = {
      account: `${this.namespace}-account:${account}`,
      address: `${this.namespace}-address:${address}`,
      known: `${this.namespace}-known:${account}`,
    };
    const now = this.now();
    return this.store.update(Object.values(keys), now, (rows) => {
      const slots = rowSlots(rows, keys);
      const before = loadLoginState(this.rules, slots, now);
      const { decision, next } = step(before, now);
      storeLoginState(this.rules, slots, before, next, now);
      return decision;
    });
  }
}

function rowSlots(rows: ThrottleRows, keys: { account: string; address: string; known: string }): LoginSlots {
  const slot = <T extends object>(key: string) => ({
    get: () => rows.get<T>(key),
    set: (value: T, expiresAt: number) => rows.set(key, value, expiresAt),
    delete: () => rows.delete(key),
  });
  return { account: slot(keys.account), address: slot(keys.address), known: slot(keys.known) };
}
