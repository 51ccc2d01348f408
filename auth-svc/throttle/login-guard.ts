import { status } from '@grpc/grpc-js';
import { GrpcError } from '../../lib/grpc/errors.js';
import type { LoginThrottle } from './login-throttle.js';

/** Trailing metadata that tells a throttled client when to try again. */
export const RETRY_AFTER_TRAILER = 'retry-after-seconds';

/**
 * Puts password checks behind the throttle. The throttle only learns an outcome once the
 * (slow) hash is done, so without more, a burst of parallel guesses would all run before
 * the first failure counts. Hence: one check per account at a time, and a few per client
 * address, answered RESOURCE_EXHAUSTED like any other throttling.
 */
export class LoginGuard {
  private readonly accountsInFlight = new Set<string>();
  private readonly addressesInFlight = new Map<string, number>();

  constructor(
    private readonly throttle: LoginThrottle,
    private readonly maxConcurrentPerAddress = 4,
  ) {}

  /** Runs `check` (true = password right) unless throttled, and records its outcome. */
  async run(account: string, address: string, check: () => Promise<boolean>): Promise<boolean> {
    const decision = this.throttle.check(account, address);
    if (!decision.allowed) throw throttled(decision.retryAfterMs, decision.limitedBy === 'account' ? 'this account' : 'your address');
    const perAddress = this.addressesInFlight.get(address) ?? 0;
    if (this.accountsInFlight.has(account) || perAddress >= this.maxConcurrentPerAddress) {
      throw throttled(1000, this.accountsInFlight.has(account) ? 'this account (one attempt at a time)' : 'your address (too many at once)');
    }
    this.accountsInFlight.add(account);
    this.addressesInFlight.set(address, perAddress + 1);
    try {
      const ok = await check();
      if (ok) this.throttle.recordSuccess(account, address);
      else this.throttle.recordFailure(account, address);
      return ok;
    } finally {
      this.accountsInFlight.delete(account);
      const left = (this.addressesInFlight.get(address) ?? 1) - 1;
      if (left <= 0) this.addressesInFlight.delete(address);
      else this.addressesInFlight.set(address, left);
    }
  }
}

function throttled(retryAfterMs: number, who: string): GrpcError {
  const seconds = Math.max(1, Math.ceil(retryAfterMs / 1000));
  return new GrpcError(status.RESOURCE_EXHAUSTED, `too many failed sign-in attempts for ${who}; retry in ${seconds} s`, {
    [RETRY_AFTER_TRAILER]: String(seconds),
  });
}
