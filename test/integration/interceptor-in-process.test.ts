import { status } from '@grpc/grpc-js';
import { expect } from 'chai';
import { pino } from 'pino';
import { ANY_USER } from '@grpc-token-auth/server-kit';
import { createDashboardClient, REFUSAL_REASON_KEY, type DashboardClient } from '@grpc-token-auth/sdk';
import { DashboardServiceDefinition, DashboardServiceService } from '../../gen/business/v1/dashboard_service.js';
import { unary } from '../../lib/grpc/handlers.js';
import type { RunningServer } from '../../lib/grpc/server.js';
import { bearer, expectStatus, md } from '../support/grpc.js';
import { forgeToken, unsignedToken } from '../support/tokens.js';
import { startInProcessServer } from '../support/in-process-server.js';

describe('server interceptor: refused calls never reach a handler', () => {
  const log = pino({ level: 'silent' });
  let server: RunningServer;
  let client: DashboardClient;
  let handlerRuns = 0;

  before(async () => {
    server = await startInProcessServer({
      log,
      policies: { [DashboardServiceService.getDashboard.path]: ANY_USER },
      services: [
        {
          definition: DashboardServiceDefinition,
          implementation: {
            getDashboard: unary(log, (_req, { principal }) => {
              handlerRuns++;
              return { message: 'counted', userId: principal.subject, roles: [] };
            }),
          },
        },
      ],
    });
    client = createDashboardClient(`127.0.0.1:${server.port}`);
  });
  after(async () => {
    client?.close();
    await server?.shutdown(1000);
  });

  it('counts one handler run per accepted call and none per refused call', async () => {
    const refused = [
      md(),
      md({ authorization: 'Basic dXNlcjpwYXNz' }),
      bearer('garbage'),
      bearer(unsignedToken('mallory')),
      bearer(forgeToken('mallory', { secret: 'attacker-secret-that-is-long-enough!!' })),
      bearer(forgeToken('mallory', { expiresInSeconds: -5 })),
      bearer(forgeToken('mallory', { issuer: 'elsewhere' })),
      bearer(forgeToken('mallory', { audience: 'elsewhere' })),
    ];
    const reasons: unknown[] = [];
    for (const metadata of refused) {
      const err = await expectStatus(client.getDashboard({}, { metadata }), status.UNAUTHENTICATED);
      expect(err.details).to.be.a('string').and.not.equal('');
      reasons.push(err.metadata.get(REFUSAL_REASON_KEY)[0]);
    }
    // The reason travels as a trailer too (the SDK's Session ends itself on `revoked`).
    expect(reasons).to.deep.equal(['missing', 'wrong_scheme', 'malformed', 'unsupported_algorithm', 'unknown_key', 'expired', 'wrong_issuer', 'wrong_audience']);
    expect(handlerRuns).to.equal(0);

    const ok = await client.getDashboard({}, { metadata: bearer(forgeToken('alice')) });
    expect(ok.userId).to.equal('alice');
    expect(handlerRuns).to.equal(1);
  });

  it('answers PERMISSION_DENIED (not the handler) for a service token on a user method', async () => {
    const before = handlerRuns;
    const token = forgeToken('billing-svc', { claims: { typ: 'service', scope: 'users:read' } });
    await expectStatus(client.getDashboard({}, { metadata: bearer(token) }), status.PERMISSION_DENIED, /for users/);
    expect(handlerRuns).to.equal(before);
  });
});
