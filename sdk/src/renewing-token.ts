/** What a token endpoint answers: the token and its lifetime. */
export interface IssuedAccessToken {
  readonly accessToken: string;
  /** Seconds. */
  readonly expiresIn: number;
}

export interface RenewingTokenOptions {
  /** Renew when the token has less than this many seconds left (capped at half its lifetime). Default 30. */
  readonly renewBeforeSeconds?: number;
  /** Clock in epoch ms (tests). */
  readonly now?: () => number;
}

/**
 * An access token that renews itself shortly before it expires. Renewal is on demand
 * (no timers keep the process alive) and concurrent callers share one renewal.
 * Shared by user sessions (Refresh) and service credentials (client-credentials exchange).
 */
export class RenewingToken<T extends IssuedAccessToken> {
  private state: { issued: T; renewAtMs: number } | undefined;
  private renewing: Promise<T> | undefined;

  constructor(
    private readonly renewer: (previous: T | undefined) => Promise<T>,
    private readonly opts: RenewingTokenOptions = {},
    first?: T,
  ) {
    if (first) this.state = this.toState(first);
  }

  /** The latest issued answer (undefined before the first). */
  get current(): T | undefined {
    return this.state?.issued;
  }

  /** A token valid for at least the renewal margin, renewing first if needed. */
  async token(): Promise<string> {
    if (this.state && this.now() < this.state.renewAtMs) return this.state.issued.accessToken;
    return (await this.renew()).accessToken;
  }

  /** Renews now (coalesced with any renewal in flight). */
  renew(): Promise<T> {
    this.renewing ??= this.renewer(this.state?.issued)
      .then((issued) => {
        this.state = this.toState(issued);
        return issued;
      })
      .finally(() => (this.renewing = undefined));
    return this.renewing;
  }

  private toState(issued: T) {
    const lifetimeMs = issued.expiresIn * 1000;
    const marginMs = Math.min((this.opts.renewBeforeSeconds ?? 30) * 1000, lifetimeMs / 2);
    return { issued, renewAtMs: this.now() + lifetimeMs - marginMs };
  }

  private now(): number {
    return this.opts.now ? this.opts.now() : Date.now();
  }
}
