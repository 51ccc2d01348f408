import { status, type ServerInterceptor } from '@grpc/grpc-js';
import { AUTH_SVC_AUDIENCE, createRevocationClient, type ClientOptions, type ServiceAddress, type ServiceCredentials } from '@grpc-token-auth/sdk';
import { createAuthenticate, type TokenVerifier } from './authenticate.js';
import { authenticationInterceptor } from './interceptors/authentication.js';
import { JwksCache, type KeySetSnapshot } from './jwks-cache.js';
import type { KeyResolver } from './keys.js';
import { silentLogger, type Logger } from './observability/logger.js';
import type { PolicyTable } from './policy.js';
import { publicKeysFetcher } from './public-keys.js';
import { RevocationList } from './revocation-list.js';
import { RevocationWatcher } from './revocation-watcher.js';
import { ServerError } from './server-error.js';
import { revocationAwareVerifier } from './service-verifier.js';
import type { TokenCache } from './token-cache.js';
import { tokenExchanger, type OnBehalfOfService } from './token-exchange.js';
import { tokenVerifier } from './verify-token.js';

/** How long start-up waits for the first revocation snapshot before serving anyway. */
const REVOCATION_SYNC_WAIT_MS = 1000;

const RECONNECT_OPTIONS = { 'grpc.initial_reconnect_backoff_ms': 100, 'grpc.max_reconnect_backoff_ms': 500 };

export interface AuthSvcOptions {
  /** auth-svc: where verification keys and the revocation stream come from. */
  readonly address: ServiceAddress;
  /** The `iss` every accepted token must carry (auth-svc's JWT_ISSUER). */
  readonly issuer: string;
  /**
   * Your service's own name: only tokens issued for it (`aud`) are accepted. auth-svc must list
   * it in its JWT_AUDIENCES; a service client of the same name can exchange tokens sent here.
   */
  readonly audience: string;
  /** Refuse service tokens that are not bound to a client certificate (RFC 8705). Default false. */
  readonly requireBoundServiceTokens?: boolean | undefined;
  /** Tolerated clock difference, seconds. Default 30. */
  readonly clockSkewSeconds?: number | undefined;
  /**
   * TLS for every channel to auth-svc (`tlsCredentials(…)` of the SDK); plaintext by default.
   * `interceptors` run on every call to auth-svc, outermost (e.g. the SDK's `tracingInterceptor()`).
   */
  readonly clientOptions?: Pick<ClientOptions, 'credentials' | 'channelOptions' | 'interceptors'> | undefined;
  /**
   * This service's own identity at auth-svc, with the scope `revocations.watch`: subscribes
   * to revocations, so a logout is refused here within a second. Without it a revoked
   * session's tokens keep working until they expire.
   */
  readonly credentials?: ServiceCredentials | undefined;
  /** Verification keys; default: auth-svc's public keys, fetched and cached. Pass a StaticKeySet for a shared secret. */
  readonly keys?: KeyResolver | undefined;
  /**
   * Where the key set is fetched from instead of auth-svc's KeysService, e.g. another OIDC
   * issuer's JWKS: `remoteJwksFetcher({ jwksUrl })`. Cached and refreshed the same way.
   */
  readonly keySource?: (() => Promise<KeySetSnapshot>) | undefined;
  /** Periodic key-set refresh, seconds. Default 60. */
  readonly keysRefreshSeconds?: number | undefined;
  /** Least time between two key fetches (unknown-kid storms), ms. Default 1000. */
  readonly keysMinFetchIntervalMs?: number | undefined;
  /** Verified tokens kept in memory (0 = verify every call). Default 10000. */
  readonly tokenCacheMaxEntries?: number | undefined;
  readonly log?: Logger | undefined;
  /** Revocation stream state, e.g. for a metrics gauge. */
  readonly onRevocationStream?: { readonly connected: () => void; readonly disconnected: () => void };
}

/** What a service gets from auth-svc: verification keys, revocations, and the verifier built on both. */
export interface AuthSvcConnection {
  readonly keys: KeyResolver;
  /**
   * Ready once verification keys are held (at once for a StaticKeySet): report NOT_SERVING
   * until then. Calls that cannot be verified for lack of keys are refused UNAVAILABLE.
   */
  readonly readiness: { readonly ready: boolean; onChange(listener: () => void): void };
  readonly revocations: RevocationList;
  /** Signature, expiry, issuer, audience, revocation; verified tokens cached. */
  readonly verify: TokenVerifier;
  readonly cache: TokenCache;
  /**
   * Authentication for a policy table, as a server interceptor: alone,
   * `new Server({ interceptors: [auth.interceptor(POLICIES)] })`, or with limits and
   * observability, `serverInterceptors({ authentication: auth.interceptor(POLICIES), … })`.
   */
  interceptor(policies: PolicyTable): ServerInterceptor;
  /**
   * A downstream call as the caller: `await auth.onBehalfOf({ principal, call }, 'business-svc')`
   * → `{ metadata, callOptions }` with the caller's token exchanged at auth-svc for that service
   * (RFC 8693; cached until it expires), naming this service as the actor, and the caller's
   * deadline and cancellation. Needs `credentials` of a client named after this service's
   * audience, with the scope `tokens.exchange` and `audience` among its registered audiences.
   */
  readonly onBehalfOf: OnBehalfOfService;
  /** Stops key refreshes and the revocation stream, and closes the channels. */
  readonly close: () => void;
}

/**
 * Everything a service needs to verify tokens issued by auth-svc, locally on every call:
 * the key set (fetched, cached, refreshed; unknown kids trigger a bounded re-fetch), the
 * revocation subscription (resubscribing with backoff; the last known set stays in force
 * while disconnected) and a bounded cache of verified tokens. Resolves once the keys are
 * loaded (or the first fetch failed: it is retried in the background).
 */
export async function connectAuthSvc(opts: AuthSvcOptions): Promise<AuthSvcConnection> {
  const closers: (() => void)[] = [];
  const log = opts.log ?? silentLogger;
  // Reconnects retried at least every 500 ms (grpc-js backs off to 2 min by default), so keys and
  // revocations are back within about a second of auth-svc answering again.
  const channel = { ...opts.clientOptions, channelOptions: { ...RECONNECT_OPTIONS, ...opts.clientOptions?.channelOptions } };
  const keys = opts.keys ?? (await verificationKeys(opts, channel, log, closers));
  const revocations = new RevocationList();

  if (opts.credentials) {
    const withToken = { ...channel, interceptors: [...(channel.interceptors ?? []), opts.credentials.interceptorFor(AUTH_SVC_AUDIENCE)] };
    const stream = opts.onRevocationStream;
    const client = createRevocationClient(opts.address, withToken);
    const watcher = new RevocationWatcher({
      client,
      list: revocations,
      onConnected: () => {
        stream?.connected();
        log.info({ revoked: revocations.size }, 'revocation stream in sync');
      },
      onDisconnected: (err) => {
        stream?.disconnected();
        log.warn({ err: String(err) }, 'revocation stream lost; reconnecting (known revocations stay in force)');
      },
    });
    closers.push(() => (watcher.stop(), client.close()));
    if (!(await watcher.start(REVOCATION_SYNC_WAIT_MS))) log.warn({}, 'revocation stream not in sync yet; serving, and retrying in the background');
  } else if (opts.keySource) {
    log.warn(
      { issuer: opts.issuer },
      "verifying another issuer's tokens: there is no revocation stream, so a revoked token stays valid until it expires",
    );
  } else {
    log.warn({}, 'no service credentials: no revocation stream (a logout takes effect only when tokens expire)');
  }
  const verifier = revocationAwareVerifier(
    tokenVerifier({
      keys,
      issuer: opts.issuer,
      audience: opts.audience,
      clockSkewSeconds: opts.clockSkewSeconds ?? 30,
      // auth-svc's tokens follow RFC 9068; another issuer's keep its own rules.
      accessTokenProfile: !opts.keySource,
    }),
    revocations,
    opts.tokenCacheMaxEntries ?? 10_000,
  );
  const readiness = keys instanceof JwksCache ? keys : { ready: true, onChange: () => undefined };
  return {
    keys,
    readiness,
    revocations,
    verify: verifier.verify,
    cache: verifier.cache,
    onBehalfOf: opts.credentials ? tokenExchanger(opts.credentials) : noExchange,
    interceptor: (policies) =>
      authenticationInterceptor(createAuthenticate(policies, verifier.verify, { requireBoundServiceTokens: opts.requireBoundServiceTokens }), { log }),
    close: () => closers.forEach((c) => c()),
  };
}

const noExchange: OnBehalfOfService = () =>
  Promise.reject(new ServerError(status.FAILED_PRECONDITION, 'this service has no credentials at auth-svc, so it cannot call others on a user\'s behalf'));

/** auth-svc's public keys (or those of `keySource`), fetched and cached. */
async function verificationKeys(opts: AuthSvcOptions, channel: ClientOptions, log: Logger, closers: (() => void)[]): Promise<KeyResolver> {
  const fetcher = opts.keySource ? { fetch: opts.keySource, close: () => undefined } : publicKeysFetcher(opts.address, channel);
  const cache = new JwksCache({
    fetch: fetcher.fetch,
    refreshIntervalMs: (opts.keysRefreshSeconds ?? 60) * 1000,
    minFetchIntervalMs: opts.keysMinFetchIntervalMs ?? 1000,
    onError: (err) => log.warn({ err: String(err) }, 'could not refresh verification keys; keeping the cached set'),
  });
  await cache.start();
  let loaded = cache.ready;
  if (loaded) log.info({ keys: cache.size }, 'verification keys loaded');
  else log.warn({}, 'no verification keys yet (issuer unreachable?): not ready, calls get UNAVAILABLE; retrying');
  cache.onChange(() => {
    if (cache.ready && !loaded) log.info({ keys: cache.size }, 'verification keys loaded');
    loaded = cache.ready;
  });
  closers.push(() => (cache.stop(), fetcher.close()));
  return cache;
}
