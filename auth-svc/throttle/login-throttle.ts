import { BoundedMap } from './bounded-map.js';

export { clientAddress } from '@grpc-token-auth/server-kit/internal';

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
 * Known limits: `check()` and the outcome are separate calls, so attempts already in flight when a
 * limit engages are not stopped (the next ones are). Entries are evicted beyond the caps, which
 * fails open for the evicted key; the caps are sized far above normal traffic.
 */
export interface LoginThrottleOptions {
  /** Clock in milliseconds; tests inject a fake one. */
  readonly now: () => number;
  /** Consecutive failures an account gets before delays start: room for a few typos. */
  readonly maxAccountFailures: number;
  /** Delay before the first attempt past the limit; doubles with each further failure. */
  readonly accountBaseDelayMs: number;
  /** Cap on the account delay: at 5 min an online guesser gets ~12 tries an hour, a user waits at most 5 min. */
  readonly accountMaxDelayMs: number;
  /** An account's failures are forgotten after this long without one; must exceed the max delay. */
  readonly accountDecayMs: number;
  /** Failures (on any accounts) within one window that lock an address: catches password spraying. */
  readonly maxAddressFailures: number;
  /** The address failure window; also the quiet time after a lockout that resets its growth. */
  readonly addressWindowMs: number;
  /** First address lockout; doubles with each further lockout in a row. */
  readonly addressBaseLockoutMs: number;
  /** Cap on an address lockout, so a shared address (NAT, proxy) is never shut out for long. */
  readonly addressMaxLockoutMs: number;
  /** Addresses remembered per account as known-good (most recent first). */
  readonly knownAddressesPerAccount: number;
  /** How long a successful login keeps its address known-good for that account. */
  readonly knownAddressTtlMs: number;
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

export type ThrottleDecision =
  | { readonly allowed: true }
  | { readonly allowed: false; readonly retryAfterMs: number; readonly limitedBy: 'account' | 'address' };

interface AccountState {
  /** Consecutive failures since the last success (or decay). */
  failures: number;
  lastFailureAt: number;
}

interface AddressState {
  /** Failures in the current window, which starts at its first failure. */
  failures: number;
  windowStart: number;
  lastFailureAt: number;
  /** Lockouts in a row; sets the next lockout's length. */
  lockouts: number;
  lockedUntil: number;
}

/** address → time of its last successful login to the account. */
type KnownAddresses = Map<string, number>;

/** Entries examined for expiry per write: amortised clean-up without timers. */
const SWEEP_PER_WRITE = 8;

const ALLOWED: ThrottleDecision = { allowed: true };

export class LoginThrottle {
  private readonly options: LoginThrottleOptions;
  private readonly accounts: BoundedMap<string, AccountState>;
  private readonly addresses: BoundedMap<string, AddressState>;
  private readonly known: BoundedMap<string, KnownAddresses>;

  constructor(options: Partial<LoginThrottleOptions> = {}) {
    this.options = { ...DEFAULT_LOGIN_THROTTLE_OPTIONS, ...options };
    validate(this.options);
    this.accounts = new BoundedMap(this.options.maxTrackedKeys);
    this.addresses = new BoundedMap(this.options.maxTrackedKeys);
    this.known = new BoundedMap(this.options.maxTrackedKeys);
  }

  /** May this attempt go ahead? Read-only: calling it never counts as an attempt. */
  check(account: string, address: string): ThrottleDecision {
    const now = this.options.now();
    const addressWait = this.addressWait(address, now);
    const accountWait = this.isKnownAddress(account, address, now) ? 0 : this.accountWait(account, now);
    if (addressWait <= 0 && accountWait <= 0) return ALLOWED;
    // Report the longer wait, so a client that honours the hint is not refused again at once.
    return addressWait >= accountWait
      ? { allowed: false, retryAfterMs: addressWait, limitedBy: 'address' }
      : { allowed: false, retryAfterMs: accountWait, limitedBy: 'account' };
  }

  recordFailure(account: string, address: string): void {
    const now = this.options.now();
    const previous = this.liveAccount(account, now);
    this.accounts.set(account, { failures: (previous?.failures ?? 0) + 1, lastFailureAt: now });

    const state = this.liveAddress(address, now) ?? { failures: 0, windowStart: now, lastFailureAt: now, lockouts: 0, lockedUntil: 0 };
    if (now - state.windowStart >= this.options.addressWindowMs) {
      state.failures = 0;
      state.windowStart = now;
    }
    state.failures += 1;
    state.lastFailureAt = now;
    if (state.failures >= this.options.maxAddressFailures) {
      state.lockouts += 1;
      state.lockedUntil = now + capped(this.options.addressBaseLockoutMs, state.lockouts - 1, this.options.addressMaxLockoutMs);
      state.failures = 0;
      state.windowStart = state.lockedUntil; // a new window opens when the lockout ends
    }
    this.addresses.set(address, state);
    this.sweep(now);
  }

  /** Resets the account's failures and remembers the address as known-good for it. Address failures stay. */
  recordSuccess(account: string, address: string): void {
    const now = this.options.now();
    this.accounts.delete(account);
    const known: KnownAddresses = new Map(this.liveKnown(account, now));
    known.delete(address);
    known.set(address, now);
    while (known.size > this.options.knownAddressesPerAccount) known.delete(known.keys().next().value!);
    this.known.set(account, known);
    this.sweep(now);
  }

  /** Tracked entries, for tests and metrics. */
  get trackedCounts(): { readonly accounts: number; readonly addresses: number; readonly knownAccounts: number } {
    return { accounts: this.accounts.size, addresses: this.addresses.size, knownAccounts: this.known.size };
  }

  private accountWait(account: string, now: number): number {
    const state = this.liveAccount(account, now);
    const excess = (state?.failures ?? 0) - this.options.maxAccountFailures;
    if (state === undefined || excess < 0) return 0;
    const delay = capped(this.options.accountBaseDelayMs, excess, this.options.accountMaxDelayMs);
    return state.lastFailureAt + delay - now;
  }

  private addressWait(address: string, now: number): number {
    const state = this.liveAddress(address, now);
    return state === undefined ? 0 : state.lockedUntil - now;
  }

  private isKnownAddress(account: string, address: string, now: number): boolean {
    const since = this.liveKnown(account, now)?.get(address);
    return since !== undefined && now - since < this.options.knownAddressTtlMs;
  }

  private liveAccount(account: string, now: number): AccountState | undefined {
    const state = this.accounts.get(account);
    return state !== undefined && !this.accountExpired(state, now) ? state : undefined;
  }

  private liveAddress(address: string, now: number): AddressState | undefined {
    const state = this.addresses.get(address);
    return state !== undefined && !this.addressExpired(state, now) ? state : undefined;
  }

  private liveKnown(account: string, now: number): KnownAddresses | undefined {
    const known = this.known.get(account);
    return known !== undefined && !this.knownExpired(known, now) ? known : undefined;
  }

  private accountExpired(state: AccountState, now: number): boolean {
    return now - state.lastFailureAt >= this.options.accountDecayMs;
  }

  /** Quiet for a whole window after the last failure and any lockout: forget failures and growth. */
  private addressExpired(state: AddressState, now: number): boolean {
    return now - Math.max(state.lastFailureAt, state.lockedUntil) >= this.options.addressWindowMs;
  }

  /** Expired once even its most recent address is past the TTL (at most a few to scan). */
  private knownExpired(known: KnownAddresses, now: number): boolean {
    let newest = -Infinity;
    for (const at of known.values()) newest = Math.max(newest, at);
    return now - newest >= this.options.knownAddressTtlMs;
  }

  private sweep(now: number): void {
    this.accounts.sweep((s) => this.accountExpired(s, now), SWEEP_PER_WRITE);
    this.addresses.sweep((s) => this.addressExpired(s, now), SWEEP_PER_WRITE);
    this.known.sweep((k) => this.knownExpired(k, now), SWEEP_PER_WRITE);
  }
}

/** base · 2^doublings, at most `max` (no overflow: 2^large is Infinity, then capped). */
function capped(base: number, doublings: number, max: number): number {
  return Math.min(base * 2 ** doublings, max);
}

function validate(o: LoginThrottleOptions): void {
  const counts = ['maxAccountFailures', 'maxAddressFailures', 'knownAddressesPerAccount', 'maxTrackedKeys'] as const;
  const durations = [
    'accountBaseDelayMs', 'accountMaxDelayMs', 'accountDecayMs', 'addressWindowMs',
    'addressBaseLockoutMs', 'addressMaxLockoutMs', 'knownAddressTtlMs',
  ] as const;
  for (const name of [...counts, ...durations]) {
    if (!Number.isSafeInteger(o[name]) || o[name] < 1) throw new RangeError(`LoginThrottle: ${name} must be a positive integer`);
  }
  if (o.accountMaxDelayMs < o.accountBaseDelayMs) throw new RangeError('LoginThrottle: accountMaxDelayMs must be at least accountBaseDelayMs');
  if (o.addressMaxLockoutMs < o.addressBaseLockoutMs) throw new RangeError('LoginThrottle: addressMaxLockoutMs must be at least addressBaseLockoutMs');
  // Otherwise the counter could be forgotten before the delay it imposes has even elapsed.
  if (o.accountDecayMs <= o.accountMaxDelayMs) throw new RangeError('LoginThrottle: accountDecayMs must exceed accountMaxDelayMs');
}
