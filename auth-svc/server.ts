import { AuthServiceService } from '../gen/auth/v1/auth_service.js';
import { KeysServiceService } from '../gen/auth/v1/keys_service.js';
import { createAuthenticate } from '../lib/authn/authenticate.js';
import { INFRASTRUCTURE_POLICIES, PUBLIC, type PolicyTable } from '../lib/authn/policy.js';
import { cachedVerifier } from '../lib/authn/token-cache.js';
import { tokenVerifier } from '../lib/authn/verify-token.js';
import { startGrpcServer, type RunningServer } from '../lib/grpc/server.js';
import type { Logger } from '../lib/log/logger.js';
import { openDatabase, type Db } from '../lib/sqlite/database.js';
import type { AuthConfig } from './config.js';
import { authServiceHandlers } from './handlers/auth-service.js';
import { keysServiceHandlers } from './handlers/keys-service.js';
import { PasswordHasher } from './passwords/password-hasher.js';
import { AUTH_MIGRATIONS } from './store/migrations.js';
import { UserStore } from './store/user-store.js';
import { signingSetup } from './tokens/signing-setup.js';
import { TokenIssuer } from './tokens/token-issuer.js';

/** Who may call what on auth-svc. Every RPC in proto/auth must appear here. */
export const AUTH_POLICIES: PolicyTable = {
  ...INFRASTRUCTURE_POLICIES,
  [AuthServiceService.register.path]: PUBLIC,
  [AuthServiceService.login.path]: PUBLIC,
  [KeysServiceService.listPublicKeys.path]: PUBLIC,
};

export interface AuthServer {
  readonly server: RunningServer;
  readonly db: Db;
}

export async function startAuthServer(config: AuthConfig, log: Logger): Promise<AuthServer> {
  const db = openDatabase(config.dbPath, AUTH_MIGRATIONS);
  const signing = signingSetup(db, config.tokens, config.accessTokenTtlSeconds);
  const tokens = new TokenIssuer({
    issuer: config.tokens.issuer,
    audience: config.tokens.audience,
    accessTokenTtlSeconds: config.accessTokenTtlSeconds,
    signingKey: signing.signingKey,
  });
  const handlers = authServiceHandlers({
    users: new UserStore(db),
    hasher: new PasswordHasher(config.scryptLogN, config.passwordHashConcurrency),
    tokens,
    log,
  });
  const tokenCache = cachedVerifier(tokenVerifier({ ...config.tokens, keys: signing.verificationKeys }), {
    maxEntries: config.tokenCacheMaxEntries,
  });
  const server = await startGrpcServer({
    ...config.listen,
    log,
    authenticate: createAuthenticate(AUTH_POLICIES, tokenCache.verify),
    services: [
      { name: 'auth.v1.AuthService', definition: AuthServiceService, implementation: handlers },
      { name: 'auth.v1.KeysService', definition: KeysServiceService, implementation: keysServiceHandlers({ publicKeys: signing.publicKeys, log }) },
    ],
  });
  return { server, db };
}
