import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { BUSINESS_SVC_SCOPES, businessUpstreamEnv, type ProvisionedClient, provisionServiceClient } from '../../scripts/support/service-client-cli.js';
import { spawnService, type ServiceProcess } from '../../scripts/support/service-process.js';
import type { TestPkiFiles } from './certificates.js';

/** Shared by the services under test and by tests that forge tokens. Test-only value. */
export const TEST_SECRET = 'test-secret-for-integration-tests-only-0123456789';
export const TEST_ISSUER = 'auth-svc-test';
export const TEST_AUDIENCE = 'grpc-token-auth-test';

export interface RunningSystem {
  readonly auth: ServiceProcess;
  readonly business: ServiceProcess;
  readonly authAddress: string;
  readonly businessAddress: string;
  readonly dataDir: string;
  /** business-svc's service client (id + secret), provisioned with the real admin command. */
  readonly serviceClient: ProvisionedClient;
  /** Stops auth-svc (SIGTERM, or `signal`) and starts it again on the same port and database. */
  restartAuth(signal?: NodeJS.Signals): Promise<void>;
  stop(): Promise<void>;
}

/** Environment both services get: ephemeral ports, files in a fresh temp dir, cheap scrypt. */
export function testEnv(dataDir: string, extra: NodeJS.ProcessEnv = {}): NodeJS.ProcessEnv {
  return {
    PATH: process.env.PATH,
    AUTH_PORT: '0',
    BUSINESS_PORT: '0',
    AUTH_METRICS_PORT: '0',
    AUTH_HTTP_PORT: '0',
    BUSINESS_METRICS_PORT: '0',
    AUTH_DB_PATH: join(dataDir, 'auth.db'),
    BUSINESS_DB_PATH: join(dataDir, 'business.db'),
    JWT_SECRET: TEST_SECRET,
    JWT_ISSUER: TEST_ISSUER,
    JWT_AUDIENCE: TEST_AUDIENCE,
    PASSWORD_SCRYPT_LOG_N: '12',
    // Suites register many users from one address; the registration limits have their own tests.
    REGISTER_PER_ADDRESS_PER_HOUR: '1000000',
    REGISTER_BURST_PER_ADDRESS: '1000000',
    REGISTER_PER_MINUTE: '1000000',
    // Likewise suites write many notes as one user at once; the per-user quota has its own tests.
    NOTE_WRITES_PER_SECOND: '10000',
    NOTE_WRITE_BURST: '100000',
    LOG_LEVEL: 'info',
    // Suites tell which worker served a call from its rpc line; the default (failures) has its own tests.
    RPC_LOG: 'all',
    SHUTDOWN_GRACE_MS: '2000',
    ...extra,
  };
}

/** Variables for one service only (e.g. TLS settings, see `mutualTlsEnv`), on top of `extra`. */
export interface PerServiceEnv {
  readonly auth?: NodeJS.ProcessEnv;
  readonly business?: NodeJS.ProcessEnv;
}

/** Both services as real child processes, as deployed, on loopback. */
export async function startSystem(extra: NodeJS.ProcessEnv = {}, perService: PerServiceEnv = {}): Promise<RunningSystem> {
  const dataDir = mkdtempSync(join(tmpdir(), 'grpc-token-auth-'));
  const env = testEnv(dataDir, extra);
  const authEnv = { ...env, ...perService.auth };
  let auth = await spawnService('auth-svc', { env: authEnv });
  const authAddress = `127.0.0.1:${auth.port}`;
  // business-svc's identity at auth-svc (revocation stream, display names), as an operator would set it up.
  const serviceClient = await provisionServiceClient('business-svc', BUSINESS_SVC_SCOPES, env);
  // business-svc fetches its verification keys from auth-svc at start.
  const business = await spawnService('business-svc', {
    env: { ...businessUpstreamEnv(serviceClient, authAddress), ...env, ...perService.business, AUTH_ADDRESS: authAddress },
  });
  return {
    get auth() {
      return auth;
    },
    business,
    authAddress,
    businessAddress: `127.0.0.1:${business.port}`,
    dataDir,
    serviceClient,
    async restartAuth(signal?: NodeJS.Signals) {
      const port = auth.port;
      await auth.stop(signal);
      auth = await spawnService('auth-svc', { env: { ...authEnv, AUTH_PORT: String(port) } });
    },
    async stop() {
      await Promise.all([auth.stop(), business.stop()]);
      rmSync(dataDir, { recursive: true, force: true });
    },
  };
}

/**
 * TLS for the whole system from a test PKI: auth-svc requires client certificates (mutual TLS),
 * business-svc serves plain TLS and calls auth-svc with its client certificate.
 */
export function mutualTlsEnv(pki: TestPkiFiles): Required<PerServiceEnv> {
  const server = { TLS_CERT_PATH: pki.path('server.crt'), TLS_KEY_PATH: pki.path('server.key') };
  return {
    auth: { ...server, TLS_CLIENT_CA_PATH: pki.path('ca.crt') },
    business: {
      ...server,
      AUTH_TLS_CA_PATH: pki.path('ca.crt'),
      AUTH_TLS_CLIENT_CERT_PATH: pki.path('client.crt'),
      AUTH_TLS_CLIENT_KEY_PATH: pki.path('client.key'),
    },
  };
}
