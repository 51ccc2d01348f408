import { status } from '@grpc/grpc-js';
import { expect } from 'chai';
import { pino } from 'pino';
import { ANY_USER } from '@grpc-token-auth/server-kit';
import { createDashboardClient, type DashboardClient } from '@grpc-token-auth/sdk';
import { DashboardServiceDefinition, DashboardServiceService } from '../../gen/business/v1/dashboard_service.js';
import { unary } from '../../lib/grpc/handlers.js';
import type { RunningServer } from '../../lib/grpc/server.js';
import { bearer, expectStatus } from '../support/grpc.js';
import { startInProcessServer } from '../support/in-process-server.js';
import { forgeToken } from '../support/tokens.js';

/** What a handler's unexpected failure becomes on the wire. */
describe('handler failures: UNAVAILABLE for an unreachable dependency, INTERNAL (nothing leaked) for a bug', () => {
  const log = pino({ level: 'silent' });
  let server: RunningServer;
  let client: DashboardClient;

  before(async () => {
    server = await startInProcessServer({
      log,
      policies: { [DashboardServiceService.getDashboard.path]: ANY_USER },
      services: [
        {
          definition: DashboardServiceDefinition,
          implementation: {
            getDashboard: unary(log, (_req, { principal }) => {
              if (principal.subject === 'db-down') throw Object.assign(new Error('connect ECONNREFUSED 127.0.0.1:5432 secret-host'), { code: 'ECONNREFUSED' });
              if (principal.subject === 'pg-restarting') throw Object.assign(new Error('terminating connection due to administrator command'), { code: '57P01' });
              throw new TypeError("Cannot read properties of undefined (reading 'password_hash')");
            }),
          },
        },
      ],
    });
    client = createDashboardClient(`127.0.0.1:${server.port}`);
  });
  after(async () => {
    client?.close();
    await server?.shutdown(500);
  });

  const call = (subject: string) => client.getDashboard({}, { metadata: bearer(forgeToken(subject)) });

  it('answers UNAVAILABLE, which clients retry, when the database is unreachable or restarting', async () => {
    for (const subject of ['db-down', 'pg-restarting']) {
      const err = await expectStatus(call(subject), status.UNAVAILABLE, /^temporarily unavailable; retry$/);
      expect(err.details).not.to.include('5432');
    }
  });

  it('answers INTERNAL with a fixed message for a bug, revealing nothing of it', async () => {
    const err = await expectStatus(call('anyone'), status.INTERNAL, /^internal error$/);
    expect(err.details).not.to.include('password_hash');
  });
});
