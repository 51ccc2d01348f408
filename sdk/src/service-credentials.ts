import type { Interceptor } from '@grpc/grpc-js';
import type { ExchangeTokenResponse, IssueServiceTokenResponse } from '@grpc-token-auth/sdk/gen/auth/v1/auth_service.js';
import { AUTH_SVC_AUDIENCE, PerAudience, type AudienceTokens } from './audiences.js';
import { bearerInterceptor, withBearer } from './bearer-interceptor.js';
import { authClientFor, type AuthClient, type BorrowedAuthClient, type ClientOptions, type ServiceAddress } from './clients.js';
import { RenewingToken, type RenewingTokenOptions } from './renewing-token.js';

export interface ServiceCredentialsOptions extends RenewingTokenOptions {
  /** auth-svc address (`host:port`, or several replicas), or an existing client. */
  readonly auth: ServiceAddress | AuthClient;
  readonly clientId: string;
  readonly clientSecret: string;
  /**
   * The service `interceptor`'s tokens are for (auth-svc's default when left out). Tokens for
   * any other service come from `interceptorFor(audience)`.
   */
  readonly audience?: string | undefined;
  readonly clientOptions?: ClientOptions | undefined;
  /**
   * How `exchange` proves who this client is. `secret` (the default): the id and secret go with
   * every exchange. `bound-token`: this client's own auth-svc token goes instead, as the bearer;
   * over mutual TLS it is bound to this client's certificate (RFC 8705), so an exchange needs the
   * certificate's key and the secret travels only when a token is issued.
   */
  readonly exchangeWith?: 'secret' | 'bound-token' | undefined;
  /** Deadline for each token request, ms. Default 2000. */
  readonly timeoutMs?: number | undefined;
}

interface AudienceToken {
  readonly token: RenewingToken<IssueServiceTokenResponse>;
  readonly interceptor: Interceptor;
}

/**
 * A service's own identity for service-to-service calls: fetches a service token by the
 * client-credentials exchange on first use, caches it, renews it shortly before it
 * expires, and attaches it to every call through `interceptor` (or `interceptorFor(audience)`
 * for another service: one token per audience). Nothing is fetched at construction, so a
 * service can start while auth-svc is still coming up. Over mutual TLS to auth-svc the
 * tokens are bound to this client's certificate.
 */
export class ServiceCredentials implements AudienceTokens {
  readonly interceptor: Interceptor;
  private readonly auth: BorrowedAuthClient;
  private readonly tokens: PerAudience<AudienceToken>;

  constructor(private readonly opts: ServiceCredentialsOptions) {
    this.auth = authClientFor(opts.auth, opts.clientOptions);
    this.tokens = new PerAudience((audience) => {
      const token = new RenewingToken(() => this.issue(audience), opts);
      return { token, interceptor: bearerInterceptor(() => token.token()) };
    });
    this.interceptor = this.tokens.get(opts.audience ?? '').interceptor;
  }

  interceptorFor(audience: string): Interceptor {
    return this.tokens.get(audience).interceptor;
  }

  /** A token for `audience` (default: the `audience` option, else auth-svc's default). */
  accessToken(audience: string = this.opts.audience ?? ''): Promise<string> {
    return this.tokens.get(audience).token.token();
  }

  /**
   * Token exchange (RFC 8693): trades `subjectToken`, a user's token sent to this service, for one
   * addressed to `audience` that names the user and this client as the actor. Needs the scope
   * `tokens.exchange` and `audience` among the client's registered audiences.
   */
  async exchange(subjectToken: string, audience: string, scope?: string): Promise<ExchangeTokenResponse> {
    const request = { subjectToken, audience, scope: scope ?? '' };
    if (this.opts.exchangeWith === 'bound-token') {
      const metadata = withBearer(await this.accessToken(AUTH_SVC_AUDIENCE));
      return this.auth.client.exchangeToken({ ...request, clientId: '', clientSecret: '' }, { metadata, timeoutMs: this.timeoutMs() });
    }
    const { clientId, clientSecret } = this.opts;
    return this.auth.client.exchangeToken({ ...request, clientId, clientSecret }, { timeoutMs: this.timeoutMs() });
  }

  close(): void {
    for (const { token } of this.tokens.values()) token.stop();
    this.auth.release();
  }

  private issue(audience: string): Promise<IssueServiceTokenResponse> {
    const { clientId, clientSecret } = this.opts;
    return this.auth.client.issueServiceToken({ clientId, clientSecret, audience }, { timeoutMs: this.timeoutMs() });
  }

  private timeoutMs(): number {
    return this.opts.timeoutMs ?? 2000;
  }
}
