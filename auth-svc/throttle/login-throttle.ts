import { BoundedMap } from './bounded-map.js';
import type { LoginLimiter } from './login-guard.js';
import { loadLoginState, LoginRules, storeLoginState, type AccountState, type AddressState, type KnownAddresses, type LoginOutcome, type LoginRuleOptions, type LoginSlots, type LoginState, type ThrottleDecision } from './login-rules.js';

export { clientAddress } from '@grpc-token-auth/server-kit/internal';
export type { ThrottleDecision } from './login-rules.js';

/**
 * Login throttling, per account and per client address (pure: injectable clock, no timers, no I/O).
 *
 * Usage in a Login handler: `check()` before verifying the password (refuse with RESOURCE_EXHAUSTED
 * and the retry hint if not allowed), then `recordFailure()` or `recordSuccess()` with the outcome.
 * A refused attempt is never recorded, so hammering a locked account or address does not extend
 * its lock.
 *
 * Why an attacker cannot lock a user out forever:
 * - every delay and lockout is capped, and counters decay after a quiet period;
 * - an address that logged in to an account successfully recently ("known-good", a few per account)
 *   is exempt from that account's delay: an attacker guessing from elsewhere slows only themselves.
 *   Known-good addresses still obey their own address lockout, and a success never clears an
 *   address's failures (else one valid account would launder a password-spraying address).
 *
 * The rules themselves are pure functions (login-rules.ts). This class keeps their state in this
 * process's memory; auth-svc keeps it in the auth store instead (StoredLoginThrottle), so that
 * every worker and replica shares one throttle. Entries here are evicted beyond the caps, which
 * fails open for the evicted key; the caps are sized far above normal traffic.
 */
export interface LoginThrottleOptions extends LoginRuleOptions {
  /** Clock in milliseconds; tests inject a fake one. */
  readonly now: () => number;
  /** Memory caps: at most this many accounts (and, separately, addresses) are tracked. */
  readonly maxTrackedKeys: number;
}

export const DEFAULT_LOGIN_THROTTLE_OPTIONS: LoginThrottleOptions = {
  now: () => Date.now(),
  maxAccountFailures: 5,
  accountBaseDelayMs: 1_000,
  accountMaxDelayMs: 5 * 60_000,
  accountDecayMs: 60 * 60_000,
  maxAddressFailures: 20,
  addressWindowMs: 15 * 60_000,
  addressBaseLockoutMs: 60_000,
  addressMaxLockoutMs: 15 * 60_000,
  knownAddressesPerAccount: 5,
  knownAddressTtlMs: 30 * 24 * 60 * 60_000,
  maxTrackedKeys: 100_000,
};

/** Entries examined for expiry per write: amortised clean-up without timers. */
const SWEEP_PER_WRITE = 8;

export class LoginThrottle implements LoginLimiter {
  private readonly options: LoginThrottleOptions;
  private readonly rules: LoginRules;
  private readonly accounts: BoundedMap<string, AccountState>;
  private readonly addresses: BoundedMap<string, AddressState>;
  private readonly known: BoundedMap<string, KnownAddresses>;

  constructor(options: Partial<LoginThrottleOptions> = {}) {
    this.options = { ...DEFAULT_LOGIN_THROTTLE_OPTIONS, ...options };
    if (!Number.isSafeInteger(this.options.maxTrackedKeys) || this.options.maxTrackedKeys < 1) {
      throw new RangeError('LoginThrottle: maxTrackedKeys must be a positive integer');
    }
    this.rules = new LoginRules(this.options);
    this.accounts = new BoundedMap(this.options.maxTrackedKeys);
    this.addresses = new BoundedMap(this.options.maxTrackedKeys);
    this.known = new BoundedMap(this.options.maxTrackedKeys);
  }

  /** May this attempt go ahead? Read-only: calling it never counts as an attempt. */
  check(account: string, address: string): ThrottleDecision {
    const now = this.options.now();
    return this.rules.decide(loadLoginState(this.rules, this.slots(account, address), now), address, now);
  }

  recordFailure(account: string, address: string): void {
    this.apply(account, address, (s, now) => this.rules.settled(s, address, 'failure', now));
  }

  /** Resets the account's failures and remembers the address as known-good for it. Address failures stay. */
  recordSuccess(account: string, address: string): void {
    this.apply(account, address, (s, now) => this.rules.settled(s, address, 'success', now));
  }

  /** `check`, and when allowed the attempt counts as in flight until `settle`. */
  async admit(account: string, address: string): Promise<ThrottleDecision> {
    let decision!: ThrottleDecision;
    this.apply(account, address, (s, now) => {
      decision = this.rules.decide(s, address, now);
      return decision.allowed ? this.rules.admitted(s, now) : s;
    });
    return decision;
  }

  async settle(account: string, address: string, outcome: LoginOutcome): Promise<void> {
    this.apply(account, address, (s, now) => this.rules.settled(s, address, outcome, now));
  }

  /** Tracked entries, for tests and metrics. */
  get trackedCounts(): { readonly accounts: number; readonly addresses: number; readonly knownAccounts: number } {
    return { accounts: this.accounts.size, addresses: this.addresses.size, knownAccounts: this.known.size };
  }

  private apply(account: string, address: string, next: (s: LoginState, now: number) => LoginState): void {
    const now = this.options.now();
    const slots = this.slots(account, address);
    const before = loadLoginState(this.rules, slots, now);
    const after = next(before, now);
    if (after === before) return;
    storeLoginState(this.rules, slots, before, after, now);
    this.accounts.sweep((s) => this.rules.liveAccount(s, now) === undefined, SWEEP_PER_WRITE);
    this.addresses.sweep((s) => this.rules.liveAddress(s, now) === undefined, SWEEP_PER_WRITE);
    this.known.sweep((k) => this.rules.liveKnown(k, now) === undefined, SWEEP_PER_WRITE);
  }

  private slots(account: string, address: string): LoginSlots {
    const slot = <T extends {}>(map: BoundedMap<string, T>, key: string) => ({
      get: () => map.get(key),
      set: (value: T) => map.set(key, value),
      delete: () => map.delete(key),
    });
    return { account: slot(this.accounts, account), address: slot(this.addresses, address), known: slot(this.known, account) };
  }
}
