import { Metadata, status, type Interceptor } from '@grpc/grpc-js';
import type { AuthServiceClient, LoginResponse } from '../gen/auth/v1/auth_service.js';
import { bearerInterceptor } from './bearer-interceptor.js';
import { authClientFor, type BorrowedAuthClient, type ClientOptions, type ServiceAddress } from './clients.js';
import { RenewingToken, type RenewingTokenOptions } from './renewing-token.js';
import { unaryCall } from './unary-call.js';

export interface SessionOptions extends RenewingTokenOptions {
  /** auth-svc address (`host:port`, or several replicas), or an existing client. */
  readonly auth: ServiceAddress | AuthServiceClient;
  readonly email: string;
  readonly password: string;
  /** Channel options for the auth-svc client created from an address. */
  readonly clientOptions?: ClientOptions;
}

/** Thrown (with code UNAUTHENTICATED) once a session cannot be renewed: sign in again. */
export class SessionEndedError extends Error {
  readonly code = status.UNAUTHENTICATED;
  constructor(readonly reason: string) {
    super(`session ended: ${reason}; sign in again`);
    this.name = 'SessionEndedError';
  }
}

/**
 * A signed-in user. `session.interceptor` authenticates every call of any client it is
 * given to. Shortly before the access token expires the session calls Refresh (never
 * Login again: the password is not kept), which also rotates the refresh token. When
 * the session was revoked (logout elsewhere, password change, theft detection) calls
 * fail locally with UNAUTHENTICATED and `ended` says why.
 */
export class Session {
  readonly interceptor: Interceptor;
  private readonly token: RenewingToken<LoginResponse>;
  private endReason: string | undefined;

  private readonly client: AuthServiceClient;

  private constructor(
    private readonly auth: BorrowedAuthClient,
    opts: RenewingTokenOptions,
    first: LoginResponse,
  ) {
    this.client = auth.client;
    this.token = new RenewingToken((previous) => this.refresh(previous!), opts, first);
    this.interceptor = bearerInterceptor(() => this.accessToken());
  }

  /** Logs in; rejects with the gRPC error (UNAUTHENTICATED for bad credentials). */
  static async login(opts: SessionOptions): Promise<Session> {
    const auth = authClientFor(opts.auth, opts.clientOptions);
    try {
      const first = await unaryCall(auth.client, auth.client.login, { email: opts.email, password: opts.password });
      return new Session(auth, opts, first);
    } catch (err) {
      auth.release();
      throw err;
    }
  }

  get userId(): string {
    return this.token.current!.userId;
  }

  get sessionId(): string {
    return this.token.current!.sessionId;
  }

  /** Why the session can no longer be used, or undefined while it can. */
  get ended(): string | undefined {
    return this.endReason;
  }

  /** A token valid for at least the renewal margin, refreshing first if needed. */
  accessToken(): Promise<string> {
    if (this.endReason) return Promise.reject(new SessionEndedError(this.endReason));
    return this.token.token();
  }

  /** Revokes this session at auth-svc (every service refuses its tokens within a second). */
  async logout(): Promise<void> {
    await unaryCall(this.client, this.client.logout, {}, { metadata: await this.authMetadata() });
    this.endReason = 'logged out';
  }

  /** Revokes every session of this user, this one included. */
  async logoutAll(): Promise<number> {
    const res = await unaryCall(this.client, this.client.logoutAll, {}, { metadata: await this.authMetadata() });
    this.endReason = 'logged out everywhere';
    return res.revokedSessions;
  }

  close(): void {
    this.auth.release();
  }

  private async authMetadata(): Promise<Metadata> {
    const md = new Metadata();
    md.set('authorization', `Bearer ${await this.accessToken()}`);
    return md;
  }

  private async refresh(previous: LoginResponse): Promise<LoginResponse> {
    try {
      return await unaryCall(this.client, this.client.refresh, { refreshToken: previous.refreshToken });
    } catch (err) {
      const code = (err as { code?: number }).code;
      // Refused for good (revoked, reused, expired, disabled): stop trying. Network errors may pass.
      if (code === status.UNAUTHENTICATED || code === status.PERMISSION_DENIED) {
        this.endReason = (err as { details?: string }).details ?? 'refresh refused';
        throw new SessionEndedError(this.endReason);
      }
      throw err;
    }
  }
}
