import type { Interceptor } from '@grpc/grpc-js';
import type { AuthServiceClient, LoginResponse } from '../gen/auth/v1/auth_service.js';
import { bearerInterceptor } from './bearer-interceptor.js';
import { createAuthClient, type ClientOptions } from './clients.js';
import { unaryCall } from './unary-call.js';

export interface SessionOptions {
  /** auth-svc address (`host:port`), or an existing client. */
  readonly auth: string | AuthServiceClient;
  readonly email: string;
  readonly password: string;
  /** Renew when the token has less than this many seconds left (capped at half its lifetime). Default 30. */
  readonly renewBeforeSeconds?: number;
  /** Channel options for the auth-svc client created from an address. */
  readonly clientOptions?: ClientOptions;
  /** Clock in epoch ms (tests). */
  readonly now?: () => number;
}

/**
 * A signed-in user. `session.interceptor` authenticates every call of any client it
 * is given to, renewing the access token shortly before it expires. Renewal happens
 * on demand (no timers), and concurrent calls share one renewal.
 */
export class Session {
  readonly interceptor: Interceptor;
  private current: { token: string; renewAtMs: number; userId: string };
  private renewing: Promise<string> | undefined;

  private constructor(
    private readonly client: AuthServiceClient,
    private readonly ownsClient: boolean,
    private readonly opts: SessionOptions,
    first: LoginResponse,
  ) {
    this.current = this.toState(first);
    this.interceptor = bearerInterceptor(() => this.accessToken());
  }

  /** Logs in; rejects with the gRPC error (UNAUTHENTICATED for bad credentials). */
  static async login(opts: SessionOptions): Promise<Session> {
    const ownsClient = typeof opts.auth === 'string';
    const client = typeof opts.auth === 'string' ? createAuthClient(opts.auth, opts.clientOptions) : opts.auth;
    try {
      return new Session(client, ownsClient, opts, await login(client, opts));
    } catch (err) {
      if (ownsClient) client.close();
      throw err;
    }
  }

  get userId(): string {
    return this.current.userId;
  }

  /** A token valid for at least the renewal margin, renewing first if needed. */
  accessToken(): Promise<string> {
    if (this.now() < this.current.renewAtMs) return Promise.resolve(this.current.token);
    this.renewing ??= this.renew().finally(() => (this.renewing = undefined));
    return this.renewing;
  }

  close(): void {
    if (this.ownsClient) this.client.close();
  }

  private async renew(): Promise<string> {
    this.current = this.toState(await login(this.client, this.opts));
    return this.current.token;
  }

  private toState(res: LoginResponse) {
    const lifetimeMs = res.expiresIn * 1000;
    const marginMs = Math.min((this.opts.renewBeforeSeconds ?? 30) * 1000, lifetimeMs / 2);
    return { token: res.accessToken, renewAtMs: this.now() + lifetimeMs - marginMs, userId: res.userId };
  }

  private now(): number {
    return this.opts.now ? this.opts.now() : Date.now();
  }
}

function login(client: AuthServiceClient, { email, password }: SessionOptions): Promise<LoginResponse> {
  return unaryCall(client, client.login, { email, password });
}
