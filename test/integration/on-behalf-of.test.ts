import { status, type Deadline } from '@grpc/grpc-js';
import { expect } from 'chai';
import { pino } from 'pino';
import { ANY_USER, onBehalfOf, serviceWith } from '@grpc-token-auth/server-kit';
import { createDashboardClient, createNotesClient, type DashboardClient, type NotesClient } from '@grpc-token-auth/sdk';
import { DashboardServiceDefinition, DashboardServiceService } from '../../gen/business/v1/dashboard_service.js';
import { NotesServiceDefinition, NotesServiceService, type NotesServiceServer } from '../../gen/business/v1/notes_service.js';
import { GrpcError } from '../../lib/grpc/errors.js';
import { unary } from '../../lib/grpc/handlers.js';
import type { RunningServer } from '../../lib/grpc/server.js';
import { bearer, expectStatus } from '../support/grpc.js';
import { forgeToken } from '../support/tokens.js';
import { startInProcessServer } from '../support/in-process-server.js';
import { within } from '../support/eventually.js';

/**
 * A chain of two services, both behind the real interceptor: `front` (a DashboardService)
 * serves each call by calling `back` (a NotesService) on behalf of its caller.
 */
describe('on-behalf-of calls through a chain of two services', () => {
  const log = pino({ level: 'silent' });
  let back: RunningServer;
  let front: RunningServer;
  let backClient: NotesClient;
  let client: DashboardClient;
  let seen: { subject: string; deadline: Deadline; cancelled: boolean }[] = [];
  let backDelayMs = 0;
  let useGetNote = false;

  before(async () => {
    const backHandlers: Partial<NotesServiceServer> = {
      listNotes: unary(log, async (_req, { principal, call }) => {
        const entry = { subject: principal.subject, deadline: call.getDeadline(), cancelled: false };
        seen.push(entry);
        call.on('cancelled', () => (entry.cancelled = true));
        if (backDelayMs > 0) await new Promise((r) => setTimeout(r, backDelayMs));
        return { notes: [], nextPageToken: `for ${principal.subject}`, watchResumeToken: '' };
      }),
      // Service-only on `back`: a forwarded user token must not get in.
      getNote: unary(log, () => {
        throw new GrpcError(status.INTERNAL, 'must never run for a user');
      }),
    };
    back = await startInProcessServer({
      log,
      policies: { [NotesServiceService.listNotes.path]: ANY_USER, [NotesServiceService.getNote.path]: serviceWith('notes.admin') },
      services: [{ definition: NotesServiceDefinition, implementation: backHandlers as NotesServiceServer }],
    });
    backClient = createNotesClient(`127.0.0.1:${back.port}`);

    front = await startInProcessServer({
      log,
      policies: { [DashboardServiceService.getDashboard.path]: ANY_USER },
      services: [
        {
          definition: DashboardServiceDefinition,
          implementation: {
            getDashboard: unary(log, async (_req, ctx) => {
              const { metadata, callOptions } = onBehalfOf(ctx);
              try {
                if (useGetNote) await backClient.getNote({ id: '00000000-0000-4000-8000-000000000000' }, { metadata, callOptions });
                const res = await backClient.listNotes({ pageSize: 0, pageToken: '' }, { metadata, callOptions });
                return { message: res.nextPageToken, userId: ctx.principal.subject, roles: [], displayName: '', degraded: false };
              } catch (err) {
                // Pass the downstream status through, as a gateway would.
                const e = err as { code: status; details: string };
                throw new GrpcError(e.code, `back: ${e.details}`);
              }
            }),
          },
        },
      ],
    });
    client = createDashboardClient(`127.0.0.1:${front.port}`);
  });
  beforeEach(() => {
    seen = [];
    backDelayMs = 0;
  });
  after(async () => {
    client?.close();
    backClient?.close();
    await front?.shutdown(500);
    await back?.shutdown(500);
  });

  it('forwards the caller\'s identity: back verifies the caller\'s own token', async () => {
    const res = await client.getDashboard({}, { metadata: bearer(forgeToken('alice')) });
    expect(res.message).to.equal('for alice');
    expect(seen.map((s) => s.subject)).to.deep.equal(['alice']);
  });

  it('forwards the caller\'s deadline', async () => {
    const deadline = Date.now() + 2000;
    await client.getDashboard({}, { metadata: bearer(forgeToken('alice')), callOptions: { deadline } });
    const backDeadline = seen[0]!.deadline;
    const ms = backDeadline instanceof Date ? backDeadline.getTime() : backDeadline;
    // The same budget, not a fresh one (grpc-timeout travels as a relative value, so each hop's
    // transit is added to it: allow for a slow machine, far below a second budget of 2 s).
    expect(ms).to.be.within(deadline - 1000, deadline + 500);
  });

  it('fails the chain at the caller\'s deadline, not when the slow back end finishes', async () => {
    backDelayMs = 3000;
    const started = Date.now();
    await expectStatus(
      client.getDashboard({}, { metadata: bearer(forgeToken('alice')), callOptions: { deadline: Date.now() + 300 } }),
      status.DEADLINE_EXCEEDED,
    );
    expect(Date.now() - started).to.be.below(2500);
    // Well before the back end's own 3 s would have ended the call.
    await within(1000, async () => seen[0]!.cancelled, 'back end learns the caller gave up');
  });

  it('adds no privilege: back applies its own policy to the forwarded user token', async () => {
    useGetNote = true;
    try {
      await expectStatus(
        client.getDashboard({}, { metadata: bearer(forgeToken('alice')) }),
        status.PERMISSION_DENIED,
        /back: this method is only for services/,
      );
      expect(seen).to.deep.equal([]); // refused before any handler of `back` ran
    } finally {
      useGetNote = false;
    }
  });
});
