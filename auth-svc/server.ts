import type { Registry } from 'prom-client';
import {
  ANY_USER,
  authenticationInterceptor,
  INFRASTRUCTURE_POLICIES,
  OpenStreams,
  PUBLIC,
  revocationAwareVerifier,
  RevocationList,
  SCOPES,
  serviceWith,
  tokenVerifier,
  userWithRole,
  withActor,
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
import { RegisterLimits } from './throttle/register-limits.js';
import { StoredLoginThrottle } from './throttle/stored-login-throttle.js';
import { signingSetup } from './tokens/signing-setup.js';
import { ownAudienceAuthenticate } from './tokens/own-audience.js';
import { TokenIssuer } from './tokens/token-issuer.js';
import { UserAdmin } from './users/user-admin.js';

const USER_THEMSELVES = withActor(ANY_USER, 'forbidden');

/** Who may call what on auth-svc. Every RPC in proto/auth must appear here. */
export const AUTH_POLICIES: PolicyTable = {
  ...INFRASTRUCTURE_POLICIES,
  [AuthServiceService.register.path]: PUBLIC,
  [AuthServiceService.login.path]: PUBLIC,
  [AuthServiceService.refresh.path]: PUBLIC,
  [AuthServiceService.issueServiceToken.path]: PUBLIC,
  // The client's id and secret are in the request, as for IssueServiceToken.
  [AuthServiceService.exchangeToken.path]: PUBLIC,
  // A user's own session and account: never through a service acting on their behalf (an exchanged token).
  [AuthServiceService.logout.path]: USER_THEMSELVES,
  [AuthServiceService.logoutAll.path]: USER_THEMSELVES,
  [AuthServiceService.changePassword.path]: USER_THEMSELVES,
  [KeysServiceService.listPublicKeys.path]: PUBLIC,
  [UserDirectoryService.getUser.path]: serviceWith(SCOPES.usersRead),
  [RevocationServiceService.watchRevocations.path]: serviceWith(SCOPES.revocationsWatch),
  ...Object.fromEntries(Object.values(AdminServiceService).map((m) => [m.path, withActor(userWithRole(ROLES.admin), 'forbidden')])),
};

/** Methods on the caller's own session: they accept its token for any audience auth-svc issues. */
const SESSION_METHODS: ReadonlySet<string> = new Set([AuthServiceService.logout.path, AuthServiceService.logoutAll.path, AuthServiceService.changePassword.path]);

/**
 * ExchangeToken's caller proves it is a service client by id + secret in the request, or by its own
 * service token (audience auth-svc, scope tokens.exchange) bound to the connection's client certificate.
 */
const BOUND_TOKEN_ALTERNATIVE: PolicyTable = { [AuthServiceService.exchangeToken.path]: serviceWith(SCOPES.tokensExchange) };

/** Old sessions, refresh tokens and forgotten revocations are deleted this often. */
const PURGE_INTERVAL_MS = 10 * 60 * 1000;
const THROTTLE_PURGE_INTERVAL_MS = 60 * 1000;

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
    securityLog: log,
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
  // Throttle states live in the store: every worker and replica counts against the same limits.
  const registration = { limits: new RegisterLimits(store.throttles, config.registerLimits), hasher: new PasswordHasher(config.scryptLogN, 1) };
  const loginGuard = new LoginGuard(new StoredLoginThrottle(store.throttles, 'login', config.loginThrottle), config.loginGuard);
  // A secret check is one SHA-256: many replicas of one service may queue for their client's turn.
  const secretGuard = new LoginGuard(new StoredLoginThrottle(store.throttles, 'client', config.loginThrottle), {
    ...config.loginGuard,
    maxWaitingPerAccount: 64,
    wording: { attempts: 'client authentications', subject: 'this client' },
  });
  const verifier = revocationAwareVerifier(
    tokenVerifier({ ...config.tokens, audience: config.audiences.issued, accessTokenProfile: true, keys: signing.verificationKeys }),
    revoked,
    config.tokenCacheMaxEntries,
  );
  const handlers = authServiceHandlers({
    users,
    hasher,
    loginGuard,
    secretGuard,
    registration,
    sessions,
    serviceClients,
    tokens,
    audiences: config.audiences,
    verifySubject: verifier.verify,
    log: clientLog,
    metrics: metrics && sessionMetrics(metrics),
  });
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
    authentication: authenticationInterceptor(
      ownAudienceAuthenticate(AUTH_POLICIES, verifier.verify, config.audiences, {
        sessionMethods: SESSION_METHODS,
        boundTokenAlternative: BOUND_TOKEN_ALTERNATIVE,
        requireBoundServiceTokens: config.requireBoundServiceTokens,
      }),
      { log },
    ),
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
  // Forgotten throttle states (rows are written per attempt, so this runs more often).
  const purgeThrottles = setInterval(() => void store.throttles.purgeExpired(Date.now()).catch(storeError), THROTTLE_PURGE_INTERVAL_MS);
  purgeThrottles.unref();
  const close = async () => {
    clearInterval(purge);
    clearInterval(purgeThrottles);
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
