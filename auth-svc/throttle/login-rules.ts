/**
 * The login throttle's policy as pure functions: a state in, a decision or the next state out
 * (no clock, no I/O). Two holders run them: LoginThrottle (this process's memory, login-throttle.ts)
 * and StoredLoginThrottle (the auth store, shared by every worker and replica). See
 * login-throttle.ts for what the rules are and why.
 *
 * Attempts in flight: an admitted attempt holds a lease on its account and address until its
 * outcome is recorded (or the lease lapses, if its process died). While leases are out, an account
 * or address whose recorded failures plus attempts in flight reach its limit admits no one else:
 * parallel guesses, on any worker or replica, get no more password checks than sequential ones.
 */
export interface LoginRuleOptions {
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
}

export type ThrottleDecision =
  | { readonly allowed: true }
  | { readonly allowed: false; readonly retryAfterMs: number; readonly limitedBy: 'account' | 'address' };

/** Attempts admitted and not yet recorded; forgotten at `pendingUntil`. */
interface Lease {
  readonly pending?: number;
  readonly pendingUntil?: number;
}

export interface AccountState extends Lease {
  /** Consecutive failures since the last success (or decay). */
  readonly failures: number;
  readonly lastFailureAt: number;
}

export interface AddressState extends Lease {
  /** Failures in the current window, which starts at its first failure. */
  readonly failures: number;
  readonly windowStart: number;
  readonly lastFailureAt: number;
  /** Lockouts in a row; sets the next lockout's length. */
  readonly lockouts: number;
  readonly lockedUntil: number;
}

/** Addresses that signed in to the account, with when, oldest first. */
export type KnownAddresses = readonly (readonly [address: string, at: number])[];

/** What the rules know about one attempt: its account, its address, the account's known-good addresses. */
export interface LoginState {
  readonly account: AccountState | undefined;
  readonly address: AddressState | undefined;
  readonly known: KnownAddresses | undefined;
}

export type LoginOutcome = 'success' | 'failure' | 'abandoned';

/** A hash takes well under a second; a lease outlives any honest attempt, and a dead process's lapses. */
export const LEASE_MS = 30_000;
/** The retry hint while an attempt in flight decides whether the limit is reached. */
export const IN_FLIGHT_WAIT_MS = 1_000;

const ALLOWED: ThrottleDecision = { allowed: true };

export class LoginRules {
  constructor(private readonly o: LoginRuleOptions) {
    validate(o);
  }

  /** May this attempt go ahead? The state is only read. */
  decide(s: LoginState, address: string, now: number): ThrottleDecision {
    const addressWait = this.addressWait(s.address, now);
    const accountWait = this.isKnown(s.known, address, now) ? 0 : this.accountWait(s.account, now);
    if (addressWait <= 0 && accountWait <= 0) return ALLOWED;
    // Report the longer wait, so a client that honours the hint is not refused again at once.
    return addressWait >= accountWait
      ? { allowed: false, retryAfterMs: addressWait, limitedBy: 'address' }
      : { allowed: false, retryAfterMs: accountWait, limitedBy: 'account' };
  }

  /** The state once an allowed attempt is in flight. */
  admitted(s: LoginState, now: number): LoginState {
    return {
      ...s,
      account: withLease(s.account ?? { failures: 0, lastFailureAt: 0 }, 1, now),
      address: withLease(s.address ?? NO_ADDRESS_FAILURES, 1, now),
    };
  }

  /** The state once an attempt's outcome is known (its lease, if any, returned). */
  settled(s: LoginState, address: string, outcome: LoginOutcome, now: number): LoginState {
    const released: LoginState = {
      ...s,
      account: s.account && withLease(s.account, -1, now),
      address: s.address && withLease(s.address, -1, now),
    };
    if (outcome === 'failure') return this.failed(released, now);
    if (outcome === 'success') return this.succeeded(released, address, now);
    return released;
  }

  // Reading stored states: expired parts read as absent, lapsed leases as none.

  liveAccount(state: AccountState | undefined, now: number): AccountState | undefined {
    if (state === undefined) return undefined;
    const lease = liveLease(state, now);
    const failing = state.failures > 0 && now - state.lastFailureAt < this.o.accountDecayMs;
    if (!failing && lease.pending === undefined) return undefined;
    return failing ? { failures: state.failures, lastFailureAt: state.lastFailureAt, ...lease } : { failures: 0, lastFailureAt: 0, ...lease };
  }

  /** Quiet for a whole window after the last failure and any lockout: forget failures and growth. */
  liveAddress(state: AddressState | undefined, now: number): AddressState | undefined {
    if (state === undefined) return undefined;
    const lease = liveLease(state, now);
    const recent = now - Math.max(state.lastFailureAt, state.lockedUntil) < this.o.addressWindowMs;
    if (!recent && lease.pending === undefined) return undefined;
    const { pending: _p, pendingUntil: _u, ...rest } = state;
    return recent ? { ...rest, ...lease } : { ...NO_ADDRESS_FAILURES, ...lease };
  }

  /** Expired once even its most recent address is past the TTL; each address also expires on its own. */
  liveKnown(known: KnownAddresses | undefined, now: number): KnownAddresses | undefined {
    const live = known?.filter(([, at]) => now - at < this.o.knownAddressTtlMs);
    return live !== undefined && live.length > 0 ? live : undefined;
  }

  // When a stored state may be forgotten (and its row purged).

  accountExpiresAt(s: AccountState): number {
    return Math.max(s.failures > 0 ? s.lastFailureAt + this.o.accountDecayMs : 0, s.pendingUntil ?? 0);
  }

  addressExpiresAt(s: AddressState): number {
    return Math.max(Math.max(s.lastFailureAt, s.lockedUntil) + this.o.addressWindowMs, s.pendingUntil ?? 0);
  }

  knownExpiresAt(known: KnownAddresses): number {
    return Math.max(...known.map(([, at]) => at)) + this.o.knownAddressTtlMs;
  }

  private failed(s: LoginState, now: number): LoginState {
    const account: AccountState = { ...s.account, failures: (s.account?.failures ?? 0) + 1, lastFailureAt: now };
    let address = s.address ?? { ...NO_ADDRESS_FAILURES, windowStart: now };
    if (now - address.windowStart >= this.o.addressWindowMs) address = { ...address, failures: 0, windowStart: now };
    address = { ...address, failures: address.failures + 1, lastFailureAt: now };
    if (address.failures >= this.o.maxAddressFailures) {
      const lockouts = address.lockouts + 1;
      const lockedUntil = now + capped(this.o.addressBaseLockoutMs, lockouts - 1, this.o.addressMaxLockoutMs);
      // A new window opens when the lockout ends.
      address = { ...address, lockouts, lockedUntil, failures: 0, windowStart: lockedUntil };
    }
    return { ...s, account, address };
  }

  /** Resets the account's failures and remembers the address as known-good for it. Address failures stay. */
  private succeeded(s: LoginState, address: string, now: number): LoginState {
    const pending = s.account?.pending;
    const account = pending === undefined ? undefined : { failures: 0, lastFailureAt: 0, pending, pendingUntil: s.account!.pendingUntil };
    const known = [...(s.known ?? []).filter(([a]) => a !== address), [address, now] as const].slice(-this.o.knownAddressesPerAccount);
    return { ...s, account, known };
  }

  private accountWait(state: AccountState | undefined, now: number): number {
    if (state === undefined) return 0;
    const inFlight = (state.pending ?? 0) > 0 && state.failures + state.pending! >= this.o.maxAccountFailures ? IN_FLIGHT_WAIT_MS : 0;
    const excess = state.failures - this.o.maxAccountFailures;
    if (excess < 0) return inFlight;
    const delay = capped(this.o.accountBaseDelayMs, excess, this.o.accountMaxDelayMs);
    return Math.max(inFlight, state.lastFailureAt + delay - now);
  }

  private addressWait(state: AddressState | undefined, now: number): number {
    if (state === undefined) return 0;
    const failures = now - state.windowStart >= this.o.addressWindowMs ? 0 : state.failures;
    const inFlight = (state.pending ?? 0) > 0 && failures + state.pending! >= this.o.maxAddressFailures ? IN_FLIGHT_WAIT_MS : 0;
    return Math.max(inFlight, state.lockedUntil - now);
  }

  private isKnown(known: KnownAddresses | undefined, address: string, now: number): boolean {
    const at = known?.find(([a]) => a === address)?.[1];
    return at !== undefined && now - at < this.o.knownAddressTtlMs;
  }
}

const NO_ADDRESS_FAILURES: AddressState = { failures: 0, windowStart: 0, lastFailureAt: 0, lockouts: 0, lockedUntil: 0 };

function liveLease(s: Lease, now: number): Lease {
  return (s.pending ?? 0) > 0 && (s.pendingUntil ?? 0) > now ? { pending: s.pending, pendingUntil: s.pendingUntil } : {};
}

/** `s` with `delta` more attempts in flight (never below none); a new one renews the lease. */
function withLease<S extends Lease>(s: S, delta: 1 | -1, now: number): S {
  const { pending: _p, pendingUntil: _u, ...rest } = s;
  const live = liveLease(s, now);
  const pending = Math.max(0, (live.pending ?? 0) + delta);
  if (pending === 0) return rest as S;
  return { ...rest, pending, pendingUntil: delta > 0 ? now + LEASE_MS : live.pendingUntil } as S;
}

/** base · 2^doublings, at most `max` (no overflow: 2^large is Infinity, then capped). */
function capped(base: number, doublings: number, max: number): number {
  return Math.min(base * 2 ** doublings, max);
}

function validate(o: LoginRuleOptions): void {
  const counts = ['maxAccountFailures', 'maxAddressFailures', 'knownAddressesPerAccount'] as const;
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

/** Where one part of a LoginState is kept (a map entry, a store row). */
export interface Slot<T> {
  get(): T | undefined;
  set(value: T, expiresAt: number): void;
  delete(): void;
}

export interface LoginSlots {
  readonly account: Slot<AccountState>;
  readonly address: Slot<AddressState>;
  readonly known: Slot<KnownAddresses>;
}

/** The live state kept in `slots`. */
export function loadLoginState(rules: LoginRules, slots: LoginSlots, now: number): LoginState {
  return {
    account: rules.liveAccount(slots.account.get(), now),
    address: rules.liveAddress(slots.address.get(), now),
    known: rules.liveKnown(slots.known.get(), now),
  };
}

/** Writes the parts of `after` that differ from `before`; a part with nothing left to remember is deleted. */
export function storeLoginState(rules: LoginRules, slots: LoginSlots, before: LoginState, after: LoginState, now: number): void {
  if (after.account !== before.account) {
    const account = rules.liveAccount(after.account, now);
    if (account) slots.account.set(account, rules.accountExpiresAt(account));
    else slots.account.delete();
  }
  if (after.address !== before.address) {
    const address = rules.liveAddress(after.address, now);
    if (address) slots.address.set(address, rules.addressExpiresAt(address));
    else slots.address.delete();
  }
  if (after.known !== before.known) {
    const known = rules.liveKnown(after.known, now);
    if (known) slots.known.set(known, rules.knownExpiresAt(known));
    else slots.known.delete();
  }
}
