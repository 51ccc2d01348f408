import { retryLater } from '../../lib/grpc/errors.js';
import type { LoginOutcome, ThrottleDecision } from './login-rules.js';

export { RETRY_AFTER_TRAILER } from '../../lib/grpc/errors.js';

/** A throttle the guard asks before each check and tells each outcome (in memory, or in the auth store). */
export interface LoginLimiter {
  /** May the attempt go ahead? If so it counts as in flight until `settle`. */
  admit(account: string, address: string): Promise<ThrottleDecision>;
  settle(account: string, address: string, outcome: LoginOutcome): Promise<void>;
}

/** How refusals name what was attempted, e.g. "sign-in attempts" and "this account". */
export interface AttemptWording {
  readonly attempts: string;
  readonly subject: string;
}

export interface LoginGuardOptions {
  /** Password checks from one client address at once (a proxy or NAT puts many users behind one). */
  readonly maxConcurrentPerAddress: number;
  /** Attempts for one account allowed to wait for their turn; more are refused. */
  readonly maxWaitingPerAccount: number;
  readonly wording: AttemptWording;
}

export const DEFAULT_LOGIN_GUARD_OPTIONS: LoginGuardOptions = {
  maxConcurrentPerAddress: 16,
  maxWaitingPerAccount: 4,
  wording: { attempts: 'sign-in attempts', subject: 'this account' },
};

/**
 * Puts password checks behind the throttle. The throttle only learns an outcome once the
 * (slow) hash is done, so a burst of parallel guesses would otherwise all be hashed before
 * the first failure counts. Hence attempts for one account take turns — each is judged by
 * the throttle only after the previous one was recorded — and a client address may have
 * only so many checks running. Beyond those bounds: RESOURCE_EXHAUSTED, like any throttling.
 * Across processes, the throttle itself counts admitted attempts as in flight (login-rules.ts).
 */
export class LoginGuard {
  private readonly accounts = new Map<string, { tail: Promise<void>; waiting: number }>();
  private readonly addressesInFlight = new Map<string, number>();
  private readonly opts: LoginGuardOptions;

  constructor(
    private readonly throttle: LoginLimiter,
    opts: Partial<LoginGuardOptions> = {},
  ) {
    this.opts = { ...DEFAULT_LOGIN_GUARD_OPTIONS, ...opts };
  }

  /** Runs `check` (true = password right) unless throttled, and records its outcome. */
  async run(account: string, address: string, check: () => Promise<boolean>): Promise<boolean> {
    const perAddress = this.addressesInFlight.get(address) ?? 0;
    const { attempts, subject } = this.opts.wording;
    if (perAddress >= this.opts.maxConcurrentPerAddress) throw throttled(1000, `too many ${attempts} at once from your address`);
    const turn = this.accounts.get(account) ?? { tail: Promise.resolve(), waiting: 0 };
    if (turn.waiting > this.opts.maxWaitingPerAccount) throw throttled(1000, `too many ${attempts} at once for ${subject}`);

    this.addressesInFlight.set(address, perAddress + 1);
    turn.waiting++;
    this.accounts.set(account, turn);
    const previous = turn.tail;
    let release!: () => void;
    turn.tail = new Promise<void>((resolve) => (release = resolve));
    try {
      await previous;
      const decision = await this.throttle.admit(account, address);
      if (!decision.allowed) throw throttled(decision.retryAfterMs, `too many failed ${attempts} for ${decision.limitedBy === 'account' ? subject : 'your address'}`);
      let ok: boolean;
      try {
        ok = await check();
      } catch (err) {
        await this.throttle.settle(account, address, 'abandoned').catch(() => {}); // else its lease lapses
        throw err;
      }
      await this.throttle.settle(account, address, ok ? 'success' : 'failure');
      return ok;
    } finally {
      release();
      if (--turn.waiting === 0) this.accounts.delete(account);
      const left = (this.addressesInFlight.get(address) ?? 1) - 1;
      if (left <= 0) this.addressesInFlight.delete(address);
      else this.addressesInFlight.set(address, left);
    }
  }
}

function throttled(retryAfterMs: number, why: string) {
  return retryLater(why, retryAfterMs);
}
