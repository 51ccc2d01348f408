import type { Logger } from 'pino';
import { authenticationInterceptor, createAuthenticate, INFRASTRUCTURE_POLICIES, sharedSecretKey, StaticKeySet, tokenVerifier, type PolicyTable } from '@grpc-token-auth/server-kit';
import { EnvReader } from '../../lib/config/env-reader.js';
import { readTransportLimits, type TransportLimits } from '../../lib/config/transport-config.js';
import { startGrpcServer, type GrpcServerOptions, type RunningServer } from '../../lib/grpc/server.js';
import { TEST_AUDIENCE, TEST_ISSUER, TEST_SECRET } from './system.js';

/** The documented defaults (an empty environment), with `overrides` from the test. */
export function testTransport(overrides: Record<string, string> = {}): TransportLimits {
  return readTransportLimits(new EnvReader(overrides), { messageBytes: 64 * 1024 });
}

/**
 * The real server wiring (interceptor, health, reflection) in this process on
 * 127.0.0.1:0, verifying the test's HS256 tokens (`forgeToken`) under `policies`, so a
 * test can put its own handlers behind the real authentication and count their runs.
 */
export function startInProcessServer(opts: {
  readonly log: Logger;
  readonly policies: PolicyTable;
  readonly services: GrpcServerOptions['services'];
  readonly metrics?: GrpcServerOptions['metrics'];
  readonly transport?: TransportLimits;
}): Promise<RunningServer> {
  const verify = tokenVerifier({ keys: new StaticKeySet([sharedSecretKey(TEST_SECRET)]), issuer: TEST_ISSUER, audience: TEST_AUDIENCE, clockSkewSeconds: 0 });
  return startGrpcServer({
    host: '127.0.0.1',
    port: 0,
    log: opts.log,
    metrics: opts.metrics,
    authentication: authenticationInterceptor(createAuthenticate({ ...INFRASTRUCTURE_POLICIES, ...opts.policies }, verify), { log: opts.log }),
    services: opts.services,
    transport: opts.transport ?? testTransport(),
  });
}
