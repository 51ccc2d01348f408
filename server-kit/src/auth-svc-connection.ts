import type { Registry } from 'prom-client';
import { JwksCache } from '../../lib/authn/jwks-cache.js';
import { sharedSecretKey, StaticKeySet, type KeyResolver } from '../../lib/authn/keys.js';
import { RevocationList } from '../../lib/authn/revocation-list.js';
import { channelCredentials } from '../../lib/grpc/tls-credentials.js';
import type { Logger } from '../../lib/log/logger.js';
import { revocationStreamMetrics } from '../../lib/metrics/revocation-metrics.js';
import { createRevocationClient, createUserDirectoryClient, type ClientOptions } from '../../sdk/clients.js';
import { publicKeysFetcher } from '../../sdk/public-keys.js';
import { RevocationWatcher } from '../../sdk/revocation-watcher.js';
import { ServiceCredentials } from '../../sdk/service-credentials.js';
import type { BusinessConfig } from '../config.js';
import { DisplayNames } from './display-names.js';

/** How long start-up waits for the first revocation snapshot before serving anyway. */
const REVOCATION_SYNC_WAIT_MS = 1000;

/** Everything business-svc gets from auth-svc: verification keys, revocations, display names. */
export interface AuthUpstream {
  readonly keys: KeyResolver;
  readonly revocations: RevocationList;
  /** Undefined when no service client is configured (development only). */
  readonly displayNames: DisplayNames | undefined;
  readonly close: () => void;
}

/** `metrics`: where the revocation stream's state is recorded; undefined = metrics off. */
export async function connectAuthUpstream(config: BusinessConfig, log: Logger, metrics?: Registry): Promise<AuthUpstream> {
  const closers: (() => void)[] = [];
  // One credentials value (plaintext, TLS or mTLS) for every channel to auth-svc.
  const channel = { credentials: channelCredentials(config.authTls) };
  const keys = await verificationKeys(config, channel, log, closers);
  const revocations = new RevocationList();
  let displayNames: DisplayNames | undefined;

  if (config.serviceClient) {
    const credentials = new ServiceCredentials({ auth: config.authAddress, clientOptions: channel, ...config.serviceClient });
    const withToken = { ...channel, interceptors: [credentials.interceptor] };
    const stream = metrics && revocationStreamMetrics(metrics);
    const watcher = new RevocationWatcher({
      client: createRevocationClient(config.authAddress, withToken),
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
    const userDirectory = createUserDirectoryClient(config.authAddress, withToken);
    displayNames = new DisplayNames({
      client: userDirectory,
      timeoutMs: config.userDirectoryTimeoutMs,
      cacheTtlMs: config.displayNameCacheSeconds * 1000,
      maxEntries: 10_000,
      log,
    });
    closers.push(() => (watcher.stop(), userDirectory.close(), credentials.close()));
    if (!(await watcher.start(REVOCATION_SYNC_WAIT_MS))) log.warn('revocation stream not in sync yet; serving, and retrying in the background');
  } else {
    log.warn('SERVICE_CLIENT_ID is not set: no revocation stream (a logout takes effect only when tokens expire) and no display names');
  }
  return { keys, revocations, displayNames, close: () => closers.forEach((c) => c()) };
}

/** HS256: the shared secret. Otherwise: auth-svc's public keys, fetched and cached. */
async function verificationKeys(config: BusinessConfig, channel: ClientOptions, log: Logger, closers: (() => void)[]): Promise<KeyResolver> {
  if (config.tokens.algorithm === 'HS256') return new StaticKeySet([sharedSecretKey(config.tokens.sharedSecret!)]);
  const fetcher = publicKeysFetcher(config.authAddress, channel);
  const cache = new JwksCache({
    fetch: fetcher.fetch,
    refreshIntervalMs: config.keysRefreshSeconds * 1000,
    minFetchIntervalMs: config.keysMinFetchIntervalMs,
    onError: (err) => log.warn({ err: String(err) }, 'could not refresh verification keys; keeping the cached set'),
  });
  await cache.start();
  log.info({ keys: cache.size }, 'verification keys loaded');
  closers.push(() => (cache.stop(), fetcher.close()));
  return cache;
}
