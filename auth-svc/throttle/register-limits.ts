import { retryLater, type GrpcError } from '../../lib/grpc/errors.js';
import type { ThrottleStore } from '../store/throttle-store.js';

export interface RegisterLimitOptions {
  /** Accounts one client address may create per hour (steady rate) … */
  readonly perAddressPerHour: number;
  /** … and at once after a quiet spell (bucket size). */
  readonly perAddressBurst: number;
  /** Accounts the whole fleet (every worker and replica on one store) creates per minute, from everyone. */
  readonly perMinute: number;
  readonly now?: () => number;
}

interface Bucket {
  readonly tokens: number;
  readonly at: number;
}

const GLOBAL_KEY = 'register-all';
const addressKey = (address: string) => `register-address:${address}`;

/**
 * Token buckets for Register: one per client address and one for everyone, kept in the auth store
 * so that every worker and replica draws from the same buckets (taken from both in one atomic
 * update, or from neither). A refused attempt costs nothing (no hash, no row); the caller is told
 * when to retry. Kept apart from Login's throttle so that neither can starve the other.
 */
export class RegisterLimits {
  private readonly now: () => number;

  constructor(
    private readonly store: ThrottleStore,
    private readonly opts: RegisterLimitOptions,
  ) {
    this.now = opts.now ?? Date.now;
  }

  /** Takes one registration from both buckets, or throws RESOURCE_EXHAUSTED with a retry hint. */
  async admit(address: string): Promise<void> {
    const now = this.now();
    const key = addressKey(address);
    const perAddress = { capacity: this.opts.perAddressBurst, perMs: this.opts.perAddressPerHour / 3_600_000 };
    const everyone = { capacity: this.opts.perMinute, perMs: this.opts.perMinute / 60_000 };
    const refusal = await this.store.update([key, GLOBAL_KEY], now, (rows) => {
      const mine = refilled(rows.get<Bucket>(key), now, perAddress);
      const all = refilled(rows.get<Bucket>(GLOBAL_KEY), now, everyone);
      if (mine.tokens < 1) return refused('too many registrations from this address', (1 - mine.tokens) / perAddress.perMs);
      if (all.tokens < 1) return refused('registration is busy', (1 - all.tokens) / everyone.perMs);
      take(rows, key, mine, now, perAddress);
      take(rows, GLOBAL_KEY, all, now, everyone);
      return undefined;
    });
    if (refusal) throw refusal;
  }
}

interface Rate {
  readonly capacity: number;
  readonly perMs: number;
}

/** An absent bucket is a full one. */
function refilled(bucket: Bucket | undefined, now: number, rate: Rate): Bucket {
  if (!bucket) return { tokens: rate.capacity, at: now };
  return { tokens: Math.min(rate.capacity, bucket.tokens + Math.max(0, now - bucket.at) * rate.perMs), at: now };
}

/** Stores the bucket less one token, until it would be full again (then absent means the same). */
function take(rows: { set(key: string, value: object, expiresAt: number): void }, key: string, bucket: Bucket, now: number, rate: Rate): void {
  const tokens = bucket.tokens - 1;
  rows.set(key, { tokens, at: now }, now + Math.ceil((rate.capacity - tokens) / rate.perMs));
}

function refused(what: string, waitMs: number): GrpcError {
  return retryLater(what, waitMs);
}
