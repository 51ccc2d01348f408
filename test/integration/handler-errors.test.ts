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
  const lines: string[] = [];
  const log = pino({ level: 'error' }, { write: (line: string) => void lines.push(line) });
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
              if (principal.subject === 'pg-refuses') {
                throw Object.assign(new Error('invalid byte sequence for encoding "UTF8": 0x00'), { code: '22021', severity: 'ERROR', detail: 'Key (email)=(secret@example.com)' });
              }
              if (principal.subject === 'sqlite-refuses') throw Object.assign(new Error('UNIQUE constraint failed: users.email_normalized'), { code: 'SQLITE_CONSTRAINT_UNIQUE' });
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

  it('a store error is one short line (code and message, no stack, no row), the call INTERNAL', async () => {
    for (const [subject, code] of [['pg-refuses', '22021'], ['sqlite-refuses', 'SQLITE_CONSTRAINT_UNIQUE']] as const) {
      lines.length = 0;
      await expectStatus(call(subject), status.INTERNAL, /^internal error$/);
      expect(lines).to.have.length(1);
      const line = JSON.parse(lines[0]!) as { msg: string; storeError: Record<string, unknown> };
      expect(line.msg).to.equal('handler failed: store error');
      expect(line.storeError).to.deep.include({ code });
      expect(lines[0]).not.to.match(/\bat |stack|secret@example/);
    }
  });

  it('answers INTERNAL with a fixed message for a bug, revealing nothing of it', async () => {
    const err = await expectStatus(call('anyone'), status.INTERNAL, /^internal error$/);
    expect(err.details).not.to.include('password_hash');
  });
});
