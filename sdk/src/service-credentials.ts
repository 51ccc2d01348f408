import type { Interceptor } from '@grpc/grpc-js';
import type { IssueServiceTokenResponse } from '@grpc-token-auth/sdk/gen/auth/v1/auth_service.js';
import { bearerInterceptor } from './bearer-interceptor.js';
import { authClientFor, type AuthClient, type BorrowedAuthClient, type ClientOptions, type ServiceAddress } from './clients.js';
import { RenewingToken, type RenewingTokenOptions } from './renewing-token.js';

export interface ServiceCredentialsOptions extends RenewingTokenOptions {
  /** auth-svc address (`host:port`, or several replicas), or an existing client. */
  readonly auth: ServiceAddress | AuthClient;
  readonly clientId: string;
  readonly clientSecret: string;
  readonly clientOptions?: ClientOptions | undefined;
  /** Deadline for each token request, ms. Default 2000. */
  readonly timeoutMs?: number | undefined;
}

/**
 * A service's own identity for service-to-service calls: fetches a service token by the
 * client-credentials exchange on first use, caches it, renews it shortly before it
 * expires, and attaches it to every call through `interceptor`. Nothing is fetched at
 * construction, so a service can start while auth-svc is still coming up.
 */
export class ServiceCredentials {
  readonly interceptor: Interceptor;
  private readonly auth: BorrowedAuthClient;
  private readonly token: RenewingToken<IssueServiceTokenResponse>;

  constructor(private readonly opts: ServiceCredentialsOptions) {
    this.auth = authClientFor(opts.auth, opts.clientOptions);
    this.token = new RenewingToken(() => this.issue(), opts);
    this.interceptor = bearerInterceptor(() => this.token.token());
  }

  accessToken(): Promise<string> {
    return this.token.token();
  }

  close(): void {
    this.token.stop();
    this.auth.release();
  }

  private issue(): Promise<IssueServiceTokenResponse> {
    const { clientId, clientSecret } = this.opts;
    return this.auth.client.issueServiceToken({ clientId, clientSecret }, { timeoutMs: this.opts.timeoutMs ?? 2000 });
  }
}
