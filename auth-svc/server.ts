import type { Registry } from 'prom-client';
import {
  ANY_USER,
  authenticationInterceptor,
  createAuthenticate,
  INFRASTRUCTURE_POLICIES,
  OpenStreams,
  PUBLIC,
  revocationAwareVerifier,
  RevocationList,
  SCOPES,
  serviceWith,
  tokenVerifier,
  userWithRole,
  type PolicyTable,
  type PublicJwk,
} from '@grpc-token-auth/server-kit';
import { AdminServiceDefinition, AdminServiceService } from '../gen/auth/v1/admin_service.js';
import { AuthServiceDefinition, AuthServiceService } from '../gen/auth/v1/auth_service.js';
import { KeysServiceDefinition, KeysServiceService } from '../gen/auth/v1/keys_service.js';
import { RevocationServiceDefinition, RevocationServiceService } from '../gen/auth/v1/revocation_service.js';
import { UserDirectoryDefinition, UserDirectoryService } from '../gen/auth/v1/user_directory.js';
import { ROLES } from '../lib/authn/roles.js';
import { resetHttp2Stream } from '../lib/grpc/http2-stream-reset.js';
import { startGrpcServer, type RunningServer } from '../lib/grpc/server.js';
import { serverCredentials } from '../lib/grpc/tls-credentials.js';
import { startBoundedHttpServer, type RunningHttpServer } from '../lib/http/bounded-http-server.js';
import { cappedLogger, handlerLineCap, type LineCap } from '../lib/log/line-cap.js';
import { announce, type Logger } from '../lib/log/logger.js';
import { exposeDroppedLogLines } from '../lib/metrics/log-metrics.js';
import { exposeRevocationSubscribers, exposeRevokedSessions } from '../lib/metrics/revocation-metrics.js';
import { RpcMetrics } from '../lib/metrics/rpc-metrics.js';
import { exposeTokenCache } from '../lib/metrics/token-cache-metrics.js';
import { tokenAcceptanceWindowMs, type AuthConfig } from './config.js';
import { adminServiceHandlers } from './handlers/admin-service.js';
import { authServiceHandlers } from './handlers/auth-service.js';
import { keysServiceHandlers } from './handlers/keys-service.js';
import { revocationServiceHandlers } from './handlers/revocation-service.js';
import { userDirectoryHandlers } from './handlers/user-directory.js';
import { wellKnownRoutes } from './handlers/well-known.js';
import { PasswordHasher } from './passwords/password-hasher.js';
import { ServiceClients } from './service-clients/service-clients.js';
import { Revoker } from './sessions/revoker.js';
import { SessionManager } from './sessions/session-manager.js';
import { sessionMetrics } from './sessions/session-metrics.js';
import { migrationFindings, openAuthStore, type AuthStore } from './store/index.js';
import { redactedUrl } from '../lib/config/database-url.js';
import { LoginGuard } from './throttle/login-guard.js';
import { LoginThrottle } from './throttle/login-throttle.js';
import { RegisterLimits } from './throttle/register-limits.js';
import { signingSetup } from './tokens/signing-setup.js';
import { TokenIssuer } from './tokens/token-issuer.js';
import { UserAdmin } from './users/user-admin.js';

/** Who may call what on auth-svc. Every RPC in proto/auth must appear here. */
export const AUTH_POLICIES: PolicyTable = {
  ...INFRASTRUCTURE_POLICIES,
  [AuthServiceService.register.path]: PUBLIC,
  [AuthServiceService.login.path]: PUBLIC,
  [AuthServiceService.refresh.path]: PUBLIC,
  [AuthServiceService.issueServiceToken.path]: PUBLIC,
  [AuthServiceService.logout.path]: ANY_USER,
  [AuthServiceService.logoutAll.path]: ANY_USER,
  [AuthServiceService.changePassword.path]: ANY_USER,
  [KeysServiceService.listPublicKeys.path]: PUBLIC,
  [UserDirectoryService.getUser.path]: serviceWith(SCOPES.usersRead),
  [RevocationServiceService.watchRevocations.path]: serviceWith(SCOPES.revocationsWatch),
  ...Object.fromEntries(Object.values(AdminServiceService).map((m) => [m.path, userWithRole(ROLES.admin)])),
};

/** Old sessions, refresh tokens and forgotten revocations are deleted this often. */
const PURGE_INTERVAL_MS = 10 * 60 * 1000;

export interface AuthServer {
  readonly server: RunningServer;
  readonly store: AuthStore;
  readonly close: () => Promise<void>;
}

/**
 * `metrics`: the registry to record into; undefined = metrics off. `lineCap`: the process's cap on
 * lines clients can cause (LOG_LINES_PER_SECOND; runService shares it with grpc-js's lines).
 */
export async function startAuthServer(config: AuthConfig, log: Logger, metrics?: Registry, lineCap: LineCap = handlerLineCap(log, config.logLinesPerSecond)): Promise<AuthServer> {
  const storeError = (err: Error) => log.error({ err: err.message }, 'store: background operation failed (retrying)');
  const store = await openAuthStore(config, storeError, migrationFindings(log));
  log.info({ store: store.backend === 'postgres' ? redactedUrl(config.databaseUrl!) : config.dbPath }, `store: ${store.backend}`);
  const signing = await signingSetup(store, config.tokens, tokenAcceptanceWindowMs(config), storeError);
  const tokens = new TokenIssuer({
    issuer: config.tokens.issuer,
    audience: config.tokens.audience,
    accessTokenTtlSeconds: config.accessTokenTtlSeconds,
    serviceTokenTtlSeconds: config.serviceTokenTtlSeconds,
    signingKey: signing.signingKey,
  });
  // What handlers log on clients' behalf shares one cap; audit and start-up lines use `log`.
  const clientLog = cappedLogger(log, lineCap);
  const users = store.users;
  const revoker = await Revoker.open(store.revocations, tokenAcceptanceWindowMs(config));
  const sessions = new SessionManager({
    sessions: store.sessions,
    users,
    tokens,
    revoker,
    refreshTokenTtlSeconds: config.refreshTokenTtlSeconds,
    reuseGraceSeconds: config.refreshReuseGraceSeconds,
    log: clientLog,
  });
  const serviceClients = new ServiceClients(store.serviceClients, revoker);

  // auth-svc verifies its own tokens (Logout, ChangePassword, …) and refuses revoked ones at once.
  const revoked = new RevocationList();
  // Nothing publishes before watchOtherWriters or the first RPC, so no entry falls between these two.
  revoked.replace(await revoker.snapshot());
  revoker.subscribe((entries) => revoked.add(entries));
  revoker.watchOtherWriters(store.changes, storeError);

  const streams = new OpenStreams(config.transport, { cutOff: resetHttp2Stream });
  // A revoked service client's open WatchRevocations end now, not when its token expires.
  revoked.onRevoked((sid) => streams.endSession(sid));
  const hasher = new PasswordHasher(config.scryptLogN, config.passwordHashConcurrency);
  const registration = { limits: new RegisterLimits(config.registerLimits), hasher: new PasswordHasher(config.scryptLogN, 1) };
  const loginGuard = new LoginGuard(new LoginThrottle(config.loginThrottle), config.loginGuard);
  const handlers = authServiceHandlers({
    users,
    hasher,
    loginGuard,
    registration,
    sessions,
    serviceClients,
    tokens,
    log: clientLog,
    metrics: metrics && sessionMetrics(metrics),
  });
  const verifier = revocationAwareVerifier(tokenVerifier({ ...config.tokens, keys: signing.verificationKeys }), revoked, config.tokenCacheMaxEntries);
  if (metrics) {
    exposeTokenCache(metrics, verifier.cache);
    exposeRevokedSessions(metrics, revoked);
    exposeRevocationSubscribers(metrics, streams);
    exposeDroppedLogLines(metrics, lineCap);
  }
  const server = await startGrpcServer({
    ...config.listen,
    transport: config.transport,
    rpcLines: config.rpcLog,
    audit: { policies: AUTH_POLICIES, policyName: 'auth-svc', decisions: config.auditAuthz, log: clientLog },
    metrics: metrics && new RpcMetrics(metrics),
    credentials: serverCredentials(config.tls),
    log,
    // auth-svc is its own issuer: the kit's verifier on its own keys and revocations, not connectAuthSvc.
    authentication: authenticationInterceptor(createAuthenticate(AUTH_POLICIES, verifier.verify), { log }),
    services: [
      { definition: AuthServiceDefinition, implementation: handlers },
      { definition: KeysServiceDefinition, implementation: keysServiceHandlers({ publicKeys: signing.publicKeys, log: clientLog }) },
      { definition: UserDirectoryDefinition, implementation: userDirectoryHandlers({ users, log: clientLog }) },
      {
        definition: AdminServiceDefinition,
        implementation: adminServiceHandlers({ admin: new UserAdmin({ users, sessions: store.sessions, revoker, log }), log: clientLog }),
      },
      {
        definition: RevocationServiceDefinition,
        implementation: revocationServiceHandlers({ revoker, streams, log: clientLog }),
      },
    ],
    beforeDrain: () => streams.closeAll(),
  });

  // Discovery and JWKS for standard verifiers; with WORKERS > 1 every worker serves the shared port.
  const http = await startWellKnownListener(config, signing.publicKeys, log);

  const purge = setInterval(() => {
    void Promise.all([sessions.purgeEnded(), revoker.purgeForgotten()]).then(([ended, forgotten]) => {
      if (ended + forgotten > 0) log.info({ ended, forgotten }, 'purged old sessions and revocations');
    }, storeError);
  }, PURGE_INTERVAL_MS);
  purge.unref();
  const close = async () => {
    clearInterval(purge);
    await http?.close();
    revoker.stop();
    signing.stop();
    await store.close();
  };
  return { server, store, close };
}

/** The HTTP listener (`AUTH_HTTP_PORT`), announced as `http listening` with its port; undefined when off. */
async function startWellKnownListener(config: AuthConfig, publicKeys: () => PublicJwk[], log: Logger): Promise<RunningHttpServer | undefined> {
  if (!config.http) return undefined;
  const routes = wellKnownRoutes({ issuer: config.tokens.issuer, algorithm: config.tokens.algorithm, publicKeys });
  const server = await startBoundedHttpServer({ ...config.http, log, routes });
  announce(log, { port: server.port, paths: Object.keys(routes) }, 'http listening');
  return server;
}
