import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { BUSINESS_SVC_SCOPES, provisionServiceClient } from '../../scripts/support/service-client-cli.js';
import { spawnService, type ServiceProcess } from '../../scripts/support/service-process.js';

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
  stop(): Promise<void>;
}

/** Environment both services get: ephemeral ports, files in a fresh temp dir, cheap scrypt. */
export function testEnv(dataDir: string, extra: NodeJS.ProcessEnv = {}): NodeJS.ProcessEnv {
  return {
    PATH: process.env.PATH,
    AUTH_PORT: '0',
    BUSINESS_PORT: '0',
    AUTH_DB_PATH: join(dataDir, 'auth.db'),
    BUSINESS_DB_PATH: join(dataDir, 'business.db'),
    JWT_SECRET: TEST_SECRET,
    JWT_ISSUER: TEST_ISSUER,
    JWT_AUDIENCE: TEST_AUDIENCE,
    PASSWORD_SCRYPT_LOG_N: '12',
    LOG_LEVEL: 'info',
    SHUTDOWN_GRACE_MS: '2000',
    ...extra,
  };
}

/** Both services as real child processes, as deployed, on loopback. */
export async function startSystem(extra: NodeJS.ProcessEnv = {}): Promise<RunningSystem> {
  const dataDir = mkdtempSync(join(tmpdir(), 'grpc-token-auth-'));
  const env = testEnv(dataDir, extra);
  const auth = await spawnService('auth-svc', { env });
  // business-svc's identity at auth-svc (revocation stream, display names), as an operator would set it up.
  const client = await provisionServiceClient('business-svc', BUSINESS_SVC_SCOPES, env);
  // business-svc fetches its verification keys from auth-svc at start.
  const business = await spawnService('business-svc', {
    env: { SERVICE_CLIENT_ID: client.id, SERVICE_CLIENT_SECRET: client.secret, ...env, AUTH_ADDRESS: `127.0.0.1:${auth.port}` },
  });
  return {
    auth,
    business,
    authAddress: `127.0.0.1:${auth.port}`,
    businessAddress: `127.0.0.1:${business.port}`,
    dataDir,
    async stop() {
      await Promise.all([auth.stop(), business.stop()]);
      rmSync(dataDir, { recursive: true, force: true });
    },
  };
}
