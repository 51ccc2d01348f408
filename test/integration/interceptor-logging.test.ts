import { expect } from 'chai';
import { Writable } from 'node:stream';
import { pino } from 'pino';
import { ANY_USER, createAuthenticate, INFRASTRUCTURE_POLICIES, sharedSecretKey, StaticKeySet, tokenVerifier } from '@grpc-token-auth/server-kit';
import { createDashboardClient } from '@grpc-token-auth/sdk';
import { DashboardServiceDefinition, DashboardServiceService } from '../../gen/business/v1/dashboard_service.js';
import { unary } from '../../lib/grpc/handlers.js';
import { startGrpcServer } from '../../lib/grpc/server.js';
import { bearer } from '../support/grpc.js';
import { TEST_AUDIENCE, TEST_ISSUER, TEST_SECRET } from '../support/system.js';
import { forgeToken } from '../support/tokens.js';
import { testTransport } from '../support/in-process-server.js';

/** Runs one accepted and one refused call against a server logging at `level`; returns the log lines. */
async function rpcLines(level: string): Promise<Array<{ msg: string; method?: string; code?: string; token?: unknown }>> {
  const lines: string[] = [];
  const sink = new Writable({ write: (chunk: Buffer, _enc, done) => (lines.push(...chunk.toString().split('\n').filter(Boolean)), done()) });
  const log = pino({ level }, sink);
  const keys = new StaticKeySet([sharedSecretKey(TEST_SECRET)]);
  const server = await startGrpcServer({
    host: '127.0.0.1',
    port: 0,
    log,
    transport: testTransport(),
    authenticate: createAuthenticate(
      { ...INFRASTRUCTURE_POLICIES, [DashboardServiceService.getDashboard.path]: ANY_USER },
      tokenVerifier({ keys, issuer: TEST_ISSUER, audience: TEST_AUDIENCE, clockSkewSeconds: 0 }),
    ),
    services: [
      {
        definition: DashboardServiceDefinition,
        implementation: { getDashboard: unary(log, (_req, { principal }) => ({ message: 'hi', userId: principal.subject, roles: [] })) },
      },
    ],
  });
  const client = createDashboardClient(`127.0.0.1:${server.port}`);
  try {
    await client.getDashboard({}, { metadata: bearer(forgeToken('alice')) });
    await client.getDashboard({}, { metadata: bearer('garbage') }).catch(() => undefined);
  } finally {
    client.close();
    await server.shutdown(1000);
  }
  return lines.map((l) => JSON.parse(l) as { msg: string });
}

describe('server interceptor: one log line per RPC', () => {
  it('logs each accepted and refused call at info, without the token', async () => {
    const lines = (await rpcLines('info')).filter((l) => l.method === DashboardServiceService.getDashboard.path);
    expect(lines.map((l) => [l.msg, l.code])).to.deep.equal([
      ['rpc', 'OK'],
      ['rpc refused', 'UNAUTHENTICATED'],
    ]);
    expect(JSON.stringify(lines)).not.to.contain('garbage');
  });

  it('writes no per-RPC line at LOG_LEVEL=warn (benchmarks)', async () => {
    expect((await rpcLines('warn')).filter((l) => l.method !== undefined)).to.deep.equal([]);
  });
});
