import { Client, credentials as grpcCredentials, type ChannelCredentials, type ChannelOptions, type Interceptor } from '@grpc/grpc-js';
import { AuthServiceDefinition } from '@grpc-token-auth/sdk/gen/auth/v1/auth_service.js';
import { KeysServiceDefinition } from '@grpc-token-auth/sdk/gen/auth/v1/keys_service.js';
import { RevocationServiceDefinition } from '@grpc-token-auth/sdk/gen/auth/v1/revocation_service.js';
import { UserDirectoryDefinition } from '@grpc-token-auth/sdk/gen/auth/v1/user_directory.js';
import { DashboardServiceDefinition } from '@grpc-token-auth/sdk/gen/business/v1/dashboard_service.js';
import { NotesServiceDefinition } from '@grpc-token-auth/sdk/gen/business/v1/notes_service.js';
import { AUTH_SVC_AUDIENCE, BUSINESS_SVC_AUDIENCE, type AudienceTokens } from './audiences.js';
import { retrySafeMethods } from './idempotent-methods.js';
import { channelTarget, loadBalancingChannelOptions } from './load-balancing.js';
import { midResponseRetryInterceptor } from './mid-response-retry.js';
import { promiseClient, type PromiseClient, type ServiceDefinition } from './promise-client.js';
import { tlsChannelFor } from './tls.js';

/**
 * Where a service runs: one `host:port` (a DNS name is resolved to all its records) or
 * several replicas' `ip:port`. Calls are spread over all of them (round_robin), and
 * idempotent reads are retried on another replica when one is UNAVAILABLE.
 */
export type ServiceAddress = string | readonly string[];

/** Tells an address apart from a ready-made client where an SDK class accepts either. */
export function isServiceAddress<T extends object>(value: ServiceAddress | T): value is ServiceAddress {
  return typeof value === 'string' || Array.isArray(value);
}

export interface ClientOptions {
  /** Plaintext by default (local development); pass TLS credentials in production. */
  readonly credentials?: ChannelCredentials | undefined;
  /** E.g. `[session.interceptor]` to authenticate every call. */
  readonly interceptors?: readonly Interceptor[] | undefined;
  /**
   * A Session or ServiceCredentials: every call carries its token for this client's service
   * (`audience`; the create*Client of a known service knows its own), before `interceptors`.
   */
  readonly session?: AudienceTokens | undefined;
  /** The service this client calls, when it is not the one its create*Client knows (e.g. a business-svc with another JWT_AUDIENCE). */
  readonly audience?: string | undefined;
  /** Override any default, e.g. `grpc.service_config` or keepalive (see load-balancing.ts). */
  readonly channelOptions?: ChannelOptions | undefined;
}

/**
 * `retried`: the methods this channel may run again (paths), from the service's contract;
 * `audience`: the service's own, for a `session`'s tokens.
 */
function clientArgs(address: ServiceAddress, opts: ClientOptions, retried: readonly string[], audience: string | undefined): [ChannelCredentials, ChannelOptions] {
  const audienceOf = opts.audience ?? audience;
  const session = opts.session ? [audienceOf === undefined ? opts.session.interceptor : opts.session.interceptorFor(audienceOf)] : [];
  const tls = opts.credentials ? tlsChannelFor(opts.credentials, address) : { credentials: grpcCredentials.createInsecure(), options: {} };
  return [
    tls.credentials,
    {
      ...loadBalancingChannelOptions(retried),
      ...tls.options,
      ...opts.channelOptions,
      // Innermost: a repeated attempt reuses the metadata the caller's interceptors (token) set.
      interceptors: [...session, ...(opts.interceptors ?? []), midResponseRetryInterceptor(retried)],
    },
  ];
}

/**
 * A promise client for any service with a ts-proto generic definition, on the SDK's channel
 * set-up. Its unary methods marked `idempotency_level = NO_SIDE_EFFECTS` or `IDEMPOTENT` in
 * the proto are retried on UNAVAILABLE (another replica); no other method ever is.
 */
export function createClient<S extends ServiceDefinition>(service: S, address: ServiceAddress, opts: ClientOptions = {}): PromiseClient<S> {
  return serviceClient(service, address, opts, undefined);
}

function serviceClient<S extends ServiceDefinition>(service: S, address: ServiceAddress, opts: ClientOptions, audience: string | undefined): PromiseClient<S> {
  return promiseClient(service, new Client(channelTarget(address), ...clientArgs(address, opts, retrySafeMethods(service), audience)));
}

export type AuthClient = PromiseClient<AuthServiceDefinition>;
export type KeysClient = PromiseClient<KeysServiceDefinition>;
export type UserDirectoryClient = PromiseClient<UserDirectoryDefinition>;
export type RevocationClient = PromiseClient<RevocationServiceDefinition>;
export type DashboardClient = PromiseClient<DashboardServiceDefinition>;
export type NotesClient = PromiseClient<NotesServiceDefinition>;

export function createAuthClient(address: ServiceAddress, opts: ClientOptions = {}): AuthClient {
  return serviceClient(AuthServiceDefinition, address, opts, AUTH_SVC_AUDIENCE);
}

/** An auth-svc client for an SDK class: the one it was given, or a new one for an address. */
export interface BorrowedAuthClient {
  readonly client: AuthClient;
  /** Closes the client only if it was made here: a client passed in belongs to the caller. */
  release(): void;
}

export function authClientFor(auth: ServiceAddress | AuthClient, opts?: ClientOptions): BorrowedAuthClient {
  if (!isServiceAddress(auth)) return { client: auth, release: () => {} };
  const client = createAuthClient(auth, opts);
  return { client, release: () => client.close() };
}

export function createDashboardClient(address: ServiceAddress, opts: ClientOptions = {}): DashboardClient {
  return serviceClient(DashboardServiceDefinition, address, opts, BUSINESS_SVC_AUDIENCE);
}

export function createNotesClient(address: ServiceAddress, opts: ClientOptions = {}): NotesClient {
  return serviceClient(NotesServiceDefinition, address, opts, BUSINESS_SVC_AUDIENCE);
}

export function createKeysClient(address: ServiceAddress, opts: ClientOptions = {}): KeysClient {
  return serviceClient(KeysServiceDefinition, address, opts, AUTH_SVC_AUDIENCE);
}

/** Service-to-service: needs a service token with `users.read` (pass ServiceCredentials' interceptor). */
export function createUserDirectoryClient(address: ServiceAddress, opts: ClientOptions = {}): UserDirectoryClient {
  return serviceClient(UserDirectoryDefinition, address, opts, AUTH_SVC_AUDIENCE);
}

/** Service-to-service: needs a service token with `revocations.watch`. */
export function createRevocationClient(address: ServiceAddress, opts: ClientOptions = {}): RevocationClient {
  return serviceClient(RevocationServiceDefinition, address, opts, AUTH_SVC_AUDIENCE);
}
