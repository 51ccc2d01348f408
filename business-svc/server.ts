import { DashboardServiceService } from '../gen/business/v1/dashboard_service.js';
import { NotesServiceService } from '../gen/business/v1/notes_service.js';
import { createAuthenticate } from '../lib/authn/authenticate.js';
import { JwksCache } from '../lib/authn/jwks-cache.js';
import { StaticKeySet, sharedSecretKey, type KeyResolver } from '../lib/authn/keys.js';
import { ANY_USER, INFRASTRUCTURE_POLICIES, type PolicyTable } from '../lib/authn/policy.js';
import { benchVerifier } from '../lib/authn/bench-verifier.js';
import { cachedVerifier } from '../lib/authn/token-cache.js';
import { tokenVerifier } from '../lib/authn/verify-token.js';
import { startGrpcServer, type RunningServer } from '../lib/grpc/server.js';
import type { Logger } from '../lib/log/logger.js';
import { publicKeysFetcher } from '../sdk/public-keys.js';
import { openDatabase, type Db } from '../lib/sqlite/database.js';
import type { BusinessConfig } from './config.js';
import { dashboardServiceHandlers } from './handlers/dashboard-service.js';
import { notesServiceHandlers } from './handlers/notes-service.js';
import { BUSINESS_MIGRATIONS } from './store/migrations.js';
import { NoteChanges } from './store/note-changes.js';
import { NoteStore } from './store/note-store.js';

/** Who may call what on business-svc. Every RPC in proto/business must appear here. */
export const BUSINESS_POLICIES: PolicyTable = {
  ...INFRASTRUCTURE_POLICIES,
  [DashboardServiceService.getDashboard.path]: ANY_USER,
  ...Object.fromEntries(Object.values(NotesServiceService).map((m) => [m.path, ANY_USER])),
};

export interface BusinessServer {
  readonly server: RunningServer;
  readonly db: Db;
  /** Stops key refreshes and closes the auth-svc channel. */
  readonly closeKeys: () => void;
}

/** HS256: the shared secret. Otherwise: auth-svc's public keys, fetched and cached. */
async function verificationKeys(config: BusinessConfig, log: Logger): Promise<{ keys: KeyResolver; close: () => void }> {
  if (config.tokens.algorithm === 'HS256') return { keys: new StaticKeySet([sharedSecretKey(config.tokens.sharedSecret!)]), close: () => {} };
  const fetcher = publicKeysFetcher(config.authAddress);
  const cache = new JwksCache({
    fetch: fetcher.fetch,
    refreshIntervalMs: config.keysRefreshSeconds * 1000,
    minFetchIntervalMs: config.keysMinFetchIntervalMs,
    onError: (err) => log.warn({ err: String(err) }, 'could not refresh verification keys; keeping the cached set'),
  });
  await cache.start();
  log.info({ keys: cache.size }, 'verification keys loaded');
  return { keys: cache, close: () => (cache.stop(), fetcher.close()) };
}

export async function startBusinessServer(config: BusinessConfig, log: Logger): Promise<BusinessServer> {
  const db = openDatabase(config.dbPath, BUSINESS_MIGRATIONS);
  const { keys, close: closeKeys } = await verificationKeys(config, log);
  const changes = new NoteChanges();
  const notes = new NoteStore(db, changes);
  const tokenCache = cachedVerifier(tokenVerifier({ ...config.tokens, keys }), { maxEntries: config.tokenCacheMaxEntries });
  const server = await startGrpcServer({
    ...config.listen,
    log,
    authenticate: createAuthenticate(BUSINESS_POLICIES, config.benchNoAuthSubject ? benchVerifier(config.benchNoAuthSubject) : tokenCache.verify),
    services: [
      { name: 'business.v1.DashboardService', definition: DashboardServiceService, implementation: dashboardServiceHandlers({ log }) },
      { name: 'business.v1.NotesService', definition: NotesServiceService, implementation: notesServiceHandlers({ notes, changes, log }) },
    ],
    beforeDrain: () => changes.closeAll(),
  });
  return { server, db, closeKeys };
}
