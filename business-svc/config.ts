import { readDatabaseUrl, sameDatabase } from '../lib/config/database-url.js';
import { EnvReader } from '../lib/config/env-reader.js';
import { readListenConfig, type ListenConfig } from '../lib/config/listen-config.js';
import { readMetricsConfig, type MetricsConfig } from '../lib/config/metrics-config.js';
import { readProcessConfig, type ProcessConfig } from '../lib/config/process-config.js';
import { readClientTlsConfig, readServerTlsConfig, type ClientTlsConfig, type ServerTlsConfig } from '../lib/config/tls-config.js';
import { BUSINESS_SVC_AUDIENCE } from '@grpc-token-auth/sdk';
import { readTokenConfig, type TokenConfig } from '../lib/config/token-config.js';
import { readTransportLimits, type TransportLimits } from '../lib/config/transport-config.js';
import { expectedIssuer, readRemoteKeySource } from '../lib/config/key-source-config.js';
import type { RemoteKeySource } from '@grpc-token-auth/server-kit';
import { readTokenCacheMaxEntries } from '../lib/config/verification-config.js';
import { DEFAULT_QUOTA_LIMITS } from './store/write-quota.js';

export interface BusinessConfig extends ProcessConfig {
  readonly listen: ListenConfig;
  readonly transport: TransportLimits;
  /** Prometheus `/metrics` listener; undefined = metrics off. */
  readonly metrics: MetricsConfig | undefined;
  /** Undefined = plaintext. */
  readonly tls: ServerTlsConfig | undefined;
  /** SQLite file, used when `databaseUrl` is undefined. */
  readonly dbPath: string;
  /** postgres://… : notes in business-svc's own PostgreSQL database, shared by every replica. */
  readonly databaseUrl: string | undefined;
  readonly maxNotesPerUser: number;
  /** How long changes stay in the change log (WatchNotes can resume within it). */
  readonly noteChangesRetentionSeconds: number;
  /** Per user, across the fleet: accounted bytes of notes plus retained changes, and creates/updates per second with a burst. */
  readonly noteQuota: { readonly maxBytes: number; readonly writesPerSecond: number; readonly writeBurst: number };
  readonly tokens: TokenConfig;
  /** Where to fetch verification keys (asymmetric modes). */
  readonly authAddress: string;
  /** Another OIDC issuer's keys instead of auth-svc's (no revocation stream then); undefined = auth-svc. */
  readonly keySource: RemoteKeySource | undefined;
  /** TLS for every call to auth-svc; undefined = plaintext. */
  readonly authTls: ClientTlsConfig | undefined;
  readonly keysRefreshSeconds: number;
  readonly keysMinFetchIntervalMs: number;
  /** business-svc's own identity at auth-svc (revocation stream, UserDirectory). */
  readonly serviceClient: { readonly clientId: string; readonly clientSecret: string } | undefined;
  readonly userDirectoryTimeoutMs: number;
  readonly displayNameCacheSeconds: number;
  readonly tokenCacheMaxEntries: number;
  /** REQUIRE_BOUND_SERVICE_TOKENS: refuse service tokens not bound to a client certificate (RFC 8705). */
  readonly requireBoundServiceTokens: boolean;
  readonly warnings: readonly string[];
}

export function loadBusinessConfig(environment: NodeJS.ProcessEnv = process.env): BusinessConfig {
  const env = new EnvReader(environment);
  const tokens = readTokenConfig(env, BUSINESS_SVC_AUDIENCE);
  const keySource = readRemoteKeySource(env, tokens);
  const config = {
    listen: readListenConfig(env, 'BUSINESS', 50052),
    // A note is at most 200 + 10,000 characters (up to ~41 KB of UTF-8): 64 KiB leaves room.
    transport: readTransportLimits(env, { messageBytes: 64 * 1024 }),
    metrics: readMetricsConfig(env, 'BUSINESS', 9465),
    tls: readServerTlsConfig(env),
    dbPath: env.string('BUSINESS_DB_PATH', 'data/business.db'),
    databaseUrl: readOwnDatabaseUrl(env, environment),
    maxNotesPerUser: env.int('MAX_NOTES_PER_USER', 10_000, 1, 1_000_000),
    noteChangesRetentionSeconds: env.int('NOTE_CHANGES_RETENTION_SECONDS', 3600, 10, 7 * 86_400),
    noteQuota: {
      // At least two largest notes with their change-log copies (~4 × 41 KB).
      maxBytes: env.int('NOTE_BYTES_PER_USER', DEFAULT_QUOTA_LIMITS.maxBytes, 256 * 1024, 2 ** 40),
      writesPerSecond: env.int('NOTE_WRITES_PER_SECOND', DEFAULT_QUOTA_LIMITS.writesPerSecond, 1, 10_000),
      writeBurst: env.int('NOTE_WRITE_BURST', DEFAULT_QUOTA_LIMITS.writeBurst, 1, 100_000),
    },
    tokens: { ...tokens, issuer: expectedIssuer(tokens, keySource) },
    keySource,
    authAddress: env.string('AUTH_ADDRESS', '127.0.0.1:50051'),
    authTls: readClientTlsConfig(env, 'AUTH', 'auth-svc'),
    keysRefreshSeconds: env.int('KEYS_REFRESH_SECONDS', 60, 1, 3600),
    keysMinFetchIntervalMs: env.int('KEYS_MIN_FETCH_INTERVAL_MS', 1000, 100, 60_000),
    serviceClient: readServiceClient(env, keySource !== undefined),
    userDirectoryTimeoutMs: env.int('USER_DIRECTORY_TIMEOUT_MS', 300, 10, 10_000),
    displayNameCacheSeconds: env.int('DISPLAY_NAME_CACHE_SECONDS', 60, 0, 3600),
    tokenCacheMaxEntries: readTokenCacheMaxEntries(env),
    requireBoundServiceTokens: env.oneOf('REQUIRE_BOUND_SERVICE_TOKENS', '0', ['0', '1']) === '1',
    ...readProcessConfig(env),
  };
  return { ...config, warnings: env.finish() };
}

/** No database is shared between services: auth-svc's (DATABASE_URL, when set here too) is refused. */
function readOwnDatabaseUrl(env: EnvReader, environment: NodeJS.ProcessEnv): string | undefined {
  const url = readDatabaseUrl(env, 'BUSINESS_DATABASE_URL');
  const authUrl = environment.DATABASE_URL;
  if (url && authUrl && sameDatabase(url, authUrl)) {
    env.problem("BUSINESS_DATABASE_URL names auth-svc's database (DATABASE_URL): business-svc needs a database of its own");
  }
  return url;
}

/**
 * Both or neither; required in production, where revocations must reach this service.
 * With another issuer's keys there is no auth-svc to call, so none is expected.
 */
function readServiceClient(env: EnvReader, otherIssuer: boolean): BusinessConfig['serviceClient'] {
  const clientId = env.optional('SERVICE_CLIENT_ID');
  const clientSecret = env.optional('SERVICE_CLIENT_SECRET');
  if (otherIssuer) {
    if (clientId || clientSecret) env.problem('SERVICE_CLIENT_ID / SERVICE_CLIENT_SECRET identify this service at auth-svc: unset them with JWKS_URL / OIDC_ISSUER_URL');
    return undefined;
  }
  if (clientId && clientSecret) return { clientId, clientSecret };
  if (clientId || clientSecret) env.problem('SERVICE_CLIENT_ID and SERVICE_CLIENT_SECRET must be set together');
  else if (env.production) env.problem('SERVICE_CLIENT_ID and SERVICE_CLIENT_SECRET must be set in production (see npm run service-clients)');
  return undefined;
}
