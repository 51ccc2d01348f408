/** What a token endpoint answers: the token and its lifetime. */
export interface IssuedAccessToken {
  readonly accessToken: string;
  /** Seconds. */
  readonly expiresIn: number;
}

export interface RenewingTokenOptions {
  /** Renew when the token has less than this many seconds left (capped at half its lifetime). Default 30. */
  readonly renewBeforeSeconds?: number | undefined;
  /** First wait before retrying a failed renewal in the background, ms (doubling). Default 250. */
  readonly retryMinMs?: number | undefined;
  /** Longest wait between retries, ms. Default 5000. */
  readonly retryMaxMs?: number | undefined;
  /** Clock in epoch ms (tests). */
  readonly now?: (() => number) | undefined;
}

/** A token with less left than this is not handed out: it could expire on the way. */
const MIN_REMAINING_MS = 2000;

/**
 * An access token that renews itself shortly before it expires. Inside the renewal
 * margin calls keep the current token and renewal runs in the background (concurrent
 * callers share one); only a token about to expire makes callers wait. A failed renewal
 * is retried in the background with backoff, so while the issuer is unreachable calls
 * go on with the still-valid token. No timer keeps the process alive.
 * Shared by user sessions (Refresh) and service credentials (client-credentials exchange).
 */
export class RenewingToken<T extends IssuedAccessToken> {
  private state: { issued: T; renewAtMs: number; expiresAtMs: number } | undefined;
  private renewing: Promise<T> | undefined;
  private retry: { timer: NodeJS.Timeout; next: Promise<T>; awaited: boolean } | undefined;
  private retryDelayMs: number;
  private stopped = false;

  constructor(
    private readonly renewer: (previous: T | undefined) => Promise<T>,
    private readonly opts: RenewingTokenOptions = {},
    first?: T,
  ) {
    this.retryDelayMs = opts.retryMinMs ?? 250;
    if (first) this.state = this.toState(first);
  }

  /** The latest issued answer (undefined before the first). */
  get current(): T | undefined {
    return this.state?.issued;
  }

  /** A token good for at least a couple of seconds: the current one, or a renewed one. */
  async token(): Promise<string> {
    const now = this.now();
    const s = this.state;
    if (s && now < s.renewAtMs) return s.issued.accessToken;
    if (s && now < s.expiresAtMs - MIN_REMAINING_MS) {
      if (!this.renewing && !this.retry) this.renew().catch(() => {}); // failures are retried by renew itself
      return s.issued.accessToken;
    }
    return (await this.renew()).accessToken;
  }

  /**
   * Renews now, coalesced with a renewal in flight. After a failure the next attempt is
   * the scheduled retry, which callers then share instead of starting their own.
   */
  renew(): Promise<T> {
    if (this.renewing) return this.renewing;
    if (this.retry) {
      this.retry.awaited = true;
      return this.retry.next;
    }
    const attempt = this.renewer(this.state?.issued).then(
      (issued) => {
        this.state = this.toState(issued);
        this.retryDelayMs = this.opts.retryMinMs ?? 250;
        return issued;
      },
      (err: unknown) => {
        this.scheduleRetry();
        throw err;
      },
    );
    this.renewing = attempt.finally(() => (this.renewing = undefined));
    return this.renewing;
  }

  /** Stops background retries for good (session ended, credentials closed). */
  stop(): void {
    this.stopped = true;
    if (this.retry) clearTimeout(this.retry.timer);
    this.retry = undefined;
  }

  private scheduleRetry(): void {
    if (this.stopped) return;
    let settle!: (attempt: Promise<T>) => void;
    const next = new Promise<T>((resolve) => (settle = resolve));
    next.catch(() => {}); // nobody may be waiting for it
    const timer = setTimeout(() => {
      const { awaited } = this.retry!;
      this.retry = undefined;
      // In the background only while the token is still worth renewing; an expired one waits for the next caller.
      if (awaited || (this.state && this.now() < this.state.expiresAtMs)) settle(this.renew());
    }, this.retryDelayMs);
    timer.unref();
    this.retry = { timer, next, awaited: false };
    this.retryDelayMs = Math.min(this.retryDelayMs * 2, this.opts.retryMaxMs ?? 5000);
  }

  private toState(issued: T) {
    const now = this.now();
    const lifetimeMs = issued.expiresIn * 1000;
    const marginMs = Math.min((this.opts.renewBeforeSeconds ?? 30) * 1000, lifetimeMs / 2);
    return { issued, renewAtMs: now + lifetimeMs - marginMs, expiresAtMs: now + lifetimeMs };
  }

  private now(): number {
    return this.opts.now ? this.opts.now() : Date.now();
  }
}
