import { expect } from 'chai';
import { Writable } from 'node:stream';
import { pino } from 'pino';
import { ANY_USER, authenticationInterceptor, createAuthenticate, INFRASTRUCTURE_POLICIES, sharedSecretKey, StaticKeySet, tokenVerifier } from '@grpc-token-auth/server-kit';
import { createDashboardClient } from '@grpc-token-auth/sdk';
import { DashboardServiceDefinition, DashboardServiceService } from '../../gen/business/v1/dashboard_service.js';
import { unary } from '../../lib/grpc/handlers.js';
import type { RpcLines } from '@grpc-token-auth/server-kit';
import { startGrpcServer } from '../../lib/grpc/server.js';
import { bearer } from '../support/grpc.js';
import { TEST_AUDIENCE, TEST_ISSUER, TEST_SECRET } from '../support/system.js';
import { forgeToken } from '../support/tokens.js';
import { testTransport } from '../support/in-process-server.js';

type Line = { msg: string; method?: string; code?: string; token?: unknown; left?: number };

/** Runs one accepted and `refused` refused calls against a server logging at `level`; returns the log lines. */
async function rpcLines(level: string, mode: RpcLines | undefined, refused = 1): Promise<Line[]> {
  const lines: string[] = [];
  const sink = new Writable({ write: (chunk: Buffer, _enc, done) => (lines.push(...chunk.toString().split('\n').filter(Boolean)), done()) });
  const log = pino({ level }, sink);
  const keys = new StaticKeySet([sharedSecretKey(TEST_SECRET)]);
  const server = await startGrpcServer({
    host: '127.0.0.1',
    port: 0,
    log,
    rpcLines: mode,
    transport: testTransport(),
    authentication: authenticationInterceptor(
      createAuthenticate(
        { ...INFRASTRUCTURE_POLICIES, [DashboardServiceService.getDashboard.path]: ANY_USER },
        tokenVerifier({ keys, issuer: TEST_ISSUER, audience: TEST_AUDIENCE, clockSkewSeconds: 0 }),
      ),
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
    await Promise.all(Array.from({ length: refused }, () => client.getDashboard({}, { metadata: bearer('garbage') }).catch(() => undefined)));
    // A "left out" line comes at the end of the second in which lines were left out.
    if (refused > 100) await new Promise((r) => setTimeout(r, 1100));
  } finally {
    client.close();
    await server.shutdown(1000);
  }
  return lines.map((l) => JSON.parse(l) as Line);
}

describe('server interceptor: one log line per RPC', () => {
  it('with RPC_LOG=all, logs each accepted and refused call at info, without the token', async () => {
    const lines = (await rpcLines('info', 'all')).filter((l) => l.method === DashboardServiceService.getDashboard.path);
    expect(lines.map((l) => [l.msg, l.code])).to.deep.equal([
      ['rpc', 'OK'],
      ['rpc refused', 'UNAUTHENTICATED'],
    ]);
    expect(JSON.stringify(lines)).not.to.contain('garbage');
  });

  it('by default (RPC_LOG=failures) logs only the calls that did not end OK', async () => {
    const lines = (await rpcLines('info', undefined)).filter((l) => l.method === DashboardServiceService.getDashboard.path);
    expect(lines.map((l) => [l.msg, l.code])).to.deep.equal([['rpc refused', 'UNAUTHENTICATED']]);
  });

  it('writes at most 100 lines a second for failed calls and counts the rest in one warning', async () => {
    const started = performance.now();
    const lines = await rpcLines('info', 'failures', 250);
    const seconds = (performance.now() - started) / 1000;
    const refused = lines.filter((l) => l.msg === 'rpc refused').length;
    const leftOut = lines.filter((l) => l.msg.startsWith('rpc lines left out')).reduce((n, l) => n + l.left!, 0);
    expect(refused + leftOut, 'every refused call is either written or counted').to.equal(250);
    expect(refused).to.be.at.most(100 * Math.ceil(seconds + 1));
    if (seconds < 1) expect(refused).to.equal(100);
  });

  it('writes no per-RPC line with RPC_LOG=off, nor at LOG_LEVEL=warn (benchmarks)', async () => {
    expect((await rpcLines('info', 'off')).filter((l) => l.method !== undefined)).to.deep.equal([]);
    expect((await rpcLines('warn', 'all')).filter((l) => l.method !== undefined)).to.deep.equal([]);
  });
});
