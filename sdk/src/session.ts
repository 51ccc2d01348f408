import { status, type Interceptor, type Metadata, type StatusObject } from '@grpc/grpc-js';
import type { LoginResponse } from '@grpc-token-auth/sdk/gen/auth/v1/auth_service.js';
import { audienceOf, PerAudience, type AudienceTokens } from './audiences.js';
import { bearerInterceptor, withBearer } from './bearer-interceptor.js';
import { authClientFor, type AuthClient, type BorrowedAuthClient, type ClientOptions, type ServiceAddress } from './clients.js';
import { ClientError, REFUSAL_REASON_KEY } from './errors.js';
import { RenewingToken, type RenewingTokenOptions } from './renewing-token.js';

export interface SessionOptions extends RenewingTokenOptions {
  /** auth-svc address (`host:port`, or several replicas), or an existing client. */
  readonly auth: ServiceAddress | AuthClient;
  readonly email: string;
  readonly password: string;
  /**
   * The service `interceptor`'s tokens are for (auth-svc's default audience when left out).
   * Tokens for other services come from `interceptorFor(audience)`, on the same session.
   */
  readonly audience?: string | undefined;
  /** Channel options for the auth-svc client created from an address. */
  readonly clientOptions?: ClientOptions | undefined;
  /** Deadline of every call to auth-svc (Login, Refresh, Logout), ms. Default 5000. */
  readonly timeoutMs?: number | undefined;
  /** Cancels the login. */
  readonly signal?: AbortSignal | undefined;
}

/** Statuses of Refresh that end a session for good (revoked, reused, expired, disabled); anything else is retried. */
const FINAL_REFRESH_CODES: ReadonlySet<status> = new Set([status.UNAUTHENTICATED, status.PERMISSION_DENIED]);

/**
 * A signed-in user, holding one refresh token. `session.interceptor` authenticates every call of
 * any client it is given to with tokens for the default audience; `interceptorFor(audience)`
 * with tokens for that service (each audience's token is fetched by Refresh on first use; a
 * client made with `{ session }` picks its service's audience itself). Shortly before the access token expires the session calls Refresh in the
 * background (never Login again: the password is not kept), which also rotates the
 * refresh token; while auth-svc is unreachable calls go on with the still-valid token
 * and Refresh is retried. Once the session is revoked (logout elsewhere, password
 * change, theft detection) — noticed at the first call refused for it, or when Refresh
 * is refused — `ended` says why and calls fail locally with UNAUTHENTICATED.
 */
export class Session implements AudienceTokens {
  readonly interceptor: Interceptor;
  private readonly tokens: PerAudience<{ token: RenewingToken<LoginResponse>; interceptor: Interceptor }>;
  private readonly client: AuthClient;
  private endReason: string | undefined;
  /** The newest answer of Login or Refresh: its refresh token is the one to present next. */
  private latest: LoginResponse;
  /** Refreshes run one at a time: each rotates the one refresh token the next one needs. */
  private queue: Promise<unknown> = Promise.resolve();
  /** The audience of `interceptor`: the one asked for, else the one Login's token names ('' if unknown). */
  private readonly defaultAudience: string;

  private constructor(
    private readonly auth: BorrowedAuthClient,
    private readonly opts: SessionOptions,
    first: LoginResponse,
  ) {
    this.client = auth.client;
    this.latest = first;
    // Login's token is kept under the audience it names, so a client for that service needs no Refresh.
    const defaultAudience = opts.audience ?? audienceOf(first.accessToken) ?? '';
    this.defaultAudience = defaultAudience;
    this.tokens = new PerAudience((audience) => {
      const token = new RenewingToken(() => this.refresh(audience), opts, audience === defaultAudience ? first : undefined);
      return { token, interceptor: bearerInterceptor(() => this.accessToken(audience), { onStatus: (result) => this.noticeRefusal(result) }) };
    });
    this.interceptor = this.tokens.get(defaultAudience).interceptor;
  }

  /** Logs in; rejects with a ClientError (UNAUTHENTICATED for bad credentials, DEADLINE_EXCEEDED after `timeoutMs`). */
  static async login(opts: SessionOptions): Promise<Session> {
    const auth = authClientFor(opts.auth, opts.clientOptions);
    try {
      const first = await auth.client.login(
        { email: opts.email, password: opts.password, audience: opts.audience ?? '' },
        { timeoutMs: timeoutOf(opts), signal: opts.signal },
      );
      return new Session(auth, opts, first);
    } catch (err) {
      auth.release();
      throw err;
    }
  }

  get userId(): string {
    return this.latest.userId;
  }

  get sessionId(): string {
    return this.latest.sessionId;
  }

  /** Why the session can no longer be used (one sentence), or undefined while it can. */
  get ended(): string | undefined {
    return this.endReason;
  }

  /** Adds a token for `audience` (a service's name, one of auth-svc's JWT_AUDIENCES) to every call. */
  interceptorFor(audience: string): Interceptor {
    return this.tokens.get(audience).interceptor;
  }

  /**
   * A token for `audience` (default: the session's) valid for at least a few seconds, refreshing
   * first only if the current one is about to expire.
   */
  accessToken(audience: string = this.defaultAudience): Promise<string> {
    if (this.endReason) return Promise.reject(new ClientError(status.UNAUTHENTICATED, `session ended: ${this.endReason}`));
    return this.tokens.get(audience).token.token();
  }

  /** Revokes this session at auth-svc (every service refuses its tokens within a second). */
  async logout(): Promise<void> {
    await this.client.logout({}, { metadata: await this.authMetadata(), timeoutMs: timeoutOf(this.opts) });
    this.end('logged out');
  }

  /** Revokes every session of this user, this one included. */
  async logoutAll(): Promise<number> {
    const res = await this.client.logoutAll({}, { metadata: await this.authMetadata(), timeoutMs: timeoutOf(this.opts) });
    this.end('logged out everywhere');
    return res.revokedSessions;
  }

  /** Stops background refreshes and closes the auth-svc client if the session made it. */
  close(): void {
    this.stopAll();
    this.auth.release();
  }

  /** Logout and LogoutAll accept the session's token for any audience: the default one is at hand. */
  private async authMetadata(): Promise<Metadata> {
    return withBearer(await this.accessToken());
  }

  private refresh(audience: string): Promise<LoginResponse> {
    const next = this.queue.then(async () => {
      if (this.endReason) throw new ClientError(status.UNAUTHENTICATED, `session ended: ${this.endReason}`);
      try {
        this.latest = await this.client.refresh({ refreshToken: this.latest.refreshToken, audience }, { timeoutMs: timeoutOf(this.opts) });
        return this.latest;
      } catch (err) {
        const e = ClientError.from(err);
        if (FINAL_REFRESH_CODES.has(e.code)) this.end(e.details);
        throw e;
      }
    });
    this.queue = next.catch(() => undefined);
    return next;
  }

  /** A call refused because this session was revoked ends it at once, before any refresh. */
  private noticeRefusal(result: StatusObject): void {
    if (result.code === status.UNAUTHENTICATED && result.metadata?.get(REFUSAL_REASON_KEY)[0] === 'revoked') this.end(result.details);
  }

  private end(reason: string): void {
    this.endReason ??= reason;
    this.stopAll();
  }

  private stopAll(): void {
    for (const { token } of this.tokens.values()) token.stop();
  }
}

function timeoutOf(opts: { readonly timeoutMs?: number }): number {
  return opts.timeoutMs ?? 5000;
}
