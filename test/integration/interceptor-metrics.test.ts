import { status } from '@grpc/grpc-js';
import { expect } from 'chai';
import { Writable } from 'node:stream';
import { pino } from 'pino';
import { Registry } from 'prom-client';
import { ANY_USER } from '@grpc-token-auth/server-kit';
import { createDashboardClient, createNotesClient, type DashboardClient, type NotesClient } from '@grpc-token-auth/sdk';
import { DashboardServiceDefinition, DashboardServiceService } from '../../gen/business/v1/dashboard_service.js';
import { NotesServiceDefinition, NotesServiceService } from '../../gen/business/v1/notes_service.js';
import { serverStream, unary } from '../../lib/grpc/handlers.js';
import type { RunningServer } from '../../lib/grpc/server.js';
import { RpcMetrics } from '../../lib/metrics/rpc-metrics.js';
import { bearer, collect, expectStatus, md } from '../support/grpc.js';
import { parseSamples, valueOf, rpcLabels } from '../support/metrics.js';
import { forgeToken } from '../support/tokens.js';
import { startInProcessServer } from '../support/in-process-server.js';

const DASHBOARD = DashboardServiceService.getDashboard.path;
const WATCH = NotesServiceService.watchNotes.path;

/** The interceptor's recording, in process, at both log levels (metrics do not depend on per-RPC logging). */
for (const level of ['info', 'warn']) {
  describe(`server interceptor: one metrics sample per RPC (LOG_LEVEL=${level})`, () => {
    const log = pino({ level }, new Writable({ write: (_chunk, _enc, done) => done() }));
    const registry = new Registry();
    let server: RunningServer;
    let dashboard: DashboardClient;
    let notes: NotesClient;
    let streamOpened!: () => void;
    const opened = new Promise<void>((resolve) => (streamOpened = resolve));
    let streamEnded!: () => void;
    const ended = new Promise<void>((resolve) => (streamEnded = resolve));

    before(async () => {
      server = await startInProcessServer({
        log,
        metrics: new RpcMetrics(registry),
        policies: { [DASHBOARD]: ANY_USER, [WATCH]: ANY_USER },
        services: [
          {
            definition: DashboardServiceDefinition,
            implementation: { getDashboard: unary(log, (_req, { principal }) => ({ message: 'hi', userId: principal.subject, roles: [] })) },
          },
          {
            definition: NotesServiceDefinition,
            implementation: {
              // Stays open until the client cancels.
              watchNotes: serverStream(log, (_req, { call }) => {
                streamOpened();
                return new Promise<void>((resolve) => call.on('cancelled', () => (resolve(), streamEnded())));
              }),
            },
          },
        ],
      });
      dashboard = createDashboardClient(`127.0.0.1:${server.port}`);
      notes = createNotesClient(`127.0.0.1:${server.port}`);
    });
    after(async () => {
      dashboard?.close();
      notes?.close();
      await server?.shutdown(1000);
    });

    it('records accepted, refused and cancelled calls once each, with the refusal reason', async () => {
      const token = forgeToken('alice');
      for (let i = 0; i < 2; i++) await dashboard.getDashboard({}, { metadata: bearer(token) });
      await expectStatus(dashboard.getDashboard({}, { metadata: md() }), status.UNAUTHENTICATED);
      await expectStatus(dashboard.getDashboard({}, { metadata: bearer('garbage') }), status.UNAUTHENTICATED);
      const stream = notes.watchNotes({}, { metadata: bearer(token) });
      const reading = collect(stream).catch(() => undefined); // CANCELLED, expected
      await opened;
      stream.cancel();
      await reading;
      await ended;

      const s = parseSamples(await registry.metrics());
      expect(valueOf(s, 'grpc_server_handled_total', rpcLabels(DASHBOARD, 'OK'))).to.equal(2);
      expect(valueOf(s, 'grpc_server_handled_total', rpcLabels(DASHBOARD, 'UNAUTHENTICATED'))).to.equal(2);
      expect(valueOf(s, 'grpc_server_handling_seconds_count', rpcLabels(DASHBOARD))).to.equal(4);
      expect(valueOf(s, 'authn_rejections_total', { reason: 'missing' })).to.equal(1);
      expect(valueOf(s, 'authn_rejections_total', { reason: 'malformed' })).to.equal(1);
      expect(valueOf(s, 'grpc_server_handled_total', rpcLabels(WATCH, 'CANCELLED', 'server_stream')), 'a cancelled stream is counted').to.equal(1);
      expect(valueOf(s, 'grpc_server_handling_seconds_count', rpcLabels(WATCH, undefined, 'server_stream'))).to.equal(1);
      expect(s.filter((x) => x.name === 'grpc_server_handled_total').map((x) => `/${x.labels.grpc_service}/${x.labels.grpc_method}`)).to.have.members([DASHBOARD, DASHBOARD, WATCH]);
      expect(valueOf(s, 'grpc_server_started_total', rpcLabels(DASHBOARD))).to.equal(4);
      expect(valueOf(s, 'grpc_server_started_total', rpcLabels(WATCH, undefined, 'server_stream'))).to.equal(1);
    });
  });
}
