import { fromPublicJwk, type PublicJwk } from './jwk.js';
import type { KeyResolver, VerificationKey } from './keys.js';

export interface KeySetSnapshot {
  readonly keys: readonly PublicJwk[];
}

export interface JwksCacheOptions {
  /** Fetches the issuer's public keys (over gRPC in practice). */
  readonly fetch: () => Promise<KeySetSnapshot>;
  /** Regular refresh period. */
  readonly refreshIntervalMs: number;
  /** Least time between two fetches, whatever asks for them (unknown-kid storms, retries). */
  readonly minFetchIntervalMs: number;
  readonly onError?: ((err: unknown) => void) | undefined;
}

/**
 * Verification keys fetched from the issuer and cached. An unknown `kid` triggers a
 * refresh, but never more than one per `minFetchIntervalMs`, so garbage tokens cannot
 * make this service hammer auth-svc. When a fetch fails the cached keys stay in use.
 */
export class JwksCache implements KeyResolver {
  private byKid = new Map<string, VerificationKey>();
  private inFlight: Promise<void> | undefined;
  private lastFetchAt = -Infinity;
  private timer: NodeJS.Timeout | undefined;
  private retry: NodeJS.Timeout | undefined;
  private readonly listeners: (() => void)[] = [];

  constructor(private readonly opts: JwksCacheOptions) {}

  /** Holds at least one key, so tokens can be checked at all (readiness). */
  get ready(): boolean {
    return this.byKid.size > 0;
  }

  /** Called after every fetch, successful or not. */
  onChange(listener: () => void): void {
    this.listeners.push(listener);
  }

  find(kid: string): VerificationKey | undefined {
    const key = this.byKid.get(kid);
    if (!key) void this.refresh();
    return key;
  }

  get size(): number {
    return this.byKid.size;
  }

  /** First fetch (waits for it), then periodic refreshes. Never throws: retries in the background. */
  async start(): Promise<void> {
    this.timer = setInterval(() => void this.refresh(), this.opts.refreshIntervalMs);
    this.timer.unref();
    await this.refresh();
  }

  stop(): void {
    clearInterval(this.timer);
    clearTimeout(this.retry);
  }

  /** Fetches now unless one ran within `minFetchIntervalMs`; concurrent callers share one fetch. */
  refresh(): Promise<void> {
    if (this.inFlight) return this.inFlight;
    if (Date.now() < this.lastFetchAt + this.opts.minFetchIntervalMs) return Promise.resolve();
    this.lastFetchAt = Date.now();
    this.inFlight = this.opts
      .fetch()
      .then((snapshot) => {
        const next = new Map<string, VerificationKey>();
        for (const jwk of snapshot.keys) {
          const key = fromPublicJwk(jwk);
          if (key) next.set(key.kid, key);
        }
        this.byKid = next;
      })
      .catch((err: unknown) => {
        this.opts.onError?.(err);
        // Without any key nothing verifies: try again soon rather than at the next period.
        if (this.byKid.size === 0) {
          clearTimeout(this.retry);
          this.retry = setTimeout(() => void this.refresh(), this.opts.minFetchIntervalMs);
          this.retry.unref();
        }
      })
      .finally(() => {
        this.inFlight = undefined;
        for (const listener of this.listeners) listener();
      });
    return this.inFlight;
  }
}
