import { retryLater, type GrpcError } from '../../lib/grpc/errors.js';
import { BoundedMap } from './bounded-map.js';

export interface RegisterLimitOptions {
  /** Accounts one client address may create per hour (steady rate) … */
  readonly perAddressPerHour: number;
  /** … and at once after a quiet spell (bucket size). */
  readonly perAddressBurst: number;
  /** Accounts the whole process creates per minute, from everyone. */
  readonly perMinute: number;
  /** Client addresses remembered; the least recently used is forgotten first. */
  readonly maxAddresses: number;
  readonly now?: () => number;
}

interface Bucket {
  tokens: number;
  at: number;
}

/**
 * Token buckets for Register: one per client address and one for the process. A refused
 * attempt costs nothing (no hash, no row); the caller is told when to retry. Kept apart from
 * Login's throttle so that neither can starve the other.
 */
export class RegisterLimits {
  private readonly byAddress: BoundedMap<string, Bucket>;
  private readonly global: Bucket;
  private readonly now: () => number;

  constructor(private readonly opts: RegisterLimitOptions) {
    this.now = opts.now ?? Date.now;
    this.byAddress = new BoundedMap(opts.maxAddresses);
    this.global = { tokens: opts.perMinute, at: this.now() };
  }

  /** Takes one registration from both buckets, or throws RESOURCE_EXHAUSTED with a retry hint. */
  admit(address: string): void {
    const now = this.now();
    const perAddressRate = this.opts.perAddressPerHour / 3_600_000;
    const mine = this.byAddress.get(address) ?? { tokens: this.opts.perAddressBurst, at: now };
    refill(mine, now, perAddressRate, this.opts.perAddressBurst);
    refill(this.global, now, this.opts.perMinute / 60_000, this.opts.perMinute);
    if (mine.tokens < 1) throw refused('too many registrations from this address', (1 - mine.tokens) / perAddressRate);
    if (this.global.tokens < 1) throw refused('registration is busy', (1 - this.global.tokens) / (this.opts.perMinute / 60_000));
    mine.tokens -= 1;
    this.global.tokens -= 1;
    this.byAddress.set(address, mine);
  }
}

function refill(bucket: Bucket, now: number, perMs: number, capacity: number): void {
  bucket.tokens = Math.min(capacity, bucket.tokens + Math.max(0, now - bucket.at) * perMs);
  bucket.at = now;
}

function refused(what: string, waitMs: number): GrpcError {
  return retryLater(what, waitMs);
}
