import type { Registry } from 'prom-client';
import type { ServerInterceptor } from '@grpc/grpc-js';
import { ANY_USER, INFRASTRUCTURE_POLICIES, OpenStreams, userWithRole, withActor, type PolicyTable } from '@grpc-token-auth/server-kit';
import { AdminNotesServiceDefinition, AdminNotesServiceService } from '../gen/business/v1/admin_notes_service.js';
import { DashboardServiceDefinition, DashboardServiceService } from '../gen/business/v1/dashboard_service.js';
import { NotesServiceDefinition, NotesServiceService } from '../gen/business/v1/notes_service.js';
import { ROLES } from '../lib/authn/roles.js';
import { resetHttp2Stream } from '../lib/grpc/http2-stream-reset.js';
import { startGrpcServer, type RunningServer } from '../lib/grpc/server.js';
import { serverCredentials } from '../lib/grpc/tls-credentials.js';
import { cappedLogger, handlerLineCap, type LineCap } from '../lib/log/line-cap.js';
import type { Logger } from '../lib/log/logger.js';
import { exposeDroppedLogLines } from '../lib/metrics/log-metrics.js';
import { exposeRevokedSessions } from '../lib/metrics/revocation-metrics.js';
import { RpcMetrics } from '../lib/metrics/rpc-metrics.js';
import { exposeTokenCache } from '../lib/metrics/token-cache-metrics.js';
import { redactedUrl } from '../lib/config/database-url.js';
import type { BusinessConfig } from './config.js';
import { adminNotesServiceHandlers } from './handlers/admin-notes-service.js';
import { dashboardServiceHandlers } from './handlers/dashboard-service.js';
import { notesServiceHandlers } from './handlers/notes-service.js';
import { openNoteStore } from './store/index.js';
import { NoteWatchers } from './store/note-changes.js';
import { connectAuthUpstream } from './upstream/auth-svc.js';

/** Who may call what on business-svc. Every RPC in proto/business must appear here. */
export const BUSINESS_POLICIES: PolicyTable = {
  ...INFRASTRUCTURE_POLICIES,
  [DashboardServiceService.getDashboard.path]: ANY_USER,
  ...Object.fromEntries(Object.values(NotesServiceService).map((m) => [m.path, ANY_USER])),
  // Administration stays with the administrator: not open to a service acting for them (as on auth-svc).
  [AdminNotesServiceService.countNotesByOwner.path]: withActor(userWithRole(ROLES.admin), 'forbidden'),
};

/**
 * How often the change log is read when nothing signals: PostgreSQL NOTIFYs every append
 * (this is a safety net); on SQLite this process's and its sibling workers' writes signal,
 * and the poll also covers other processes on the same file.
 */
const CHANGE_POLL_MS = { postgres: 1000, sqlite: 250 } as const;
/**
 * Changes older than the retention period are deleted this often (by every process; it is
 * idempotent): every minute, or ten times per retention period when that is shorter.
 */
function purgeIntervalMs(retentionSeconds: number): number {
  return Math.min(60_000, retentionSeconds * 100);
}

export interface BusinessServer {
  readonly server: RunningServer;
  /** Closes the database, key refreshes and the channels to auth-svc. */
  readonly close: () => Promise<void>;
}

export interface BusinessServerOverrides {
  /** Authentication other than `auth.interceptor(BUSINESS_POLICIES)` (the benchmark's own server). */
  readonly authentication?: ServerInterceptor | undefined;
}

/**
 * `metrics`: the registry to record into; undefined = metrics off. `lineCap`: the process's cap on
 * lines clients can cause (LOG_LINES_PER_SECOND; runService shares it with grpc-js's lines).
 */
export async function startBusinessServer(
  config: BusinessConfig,
  log: Logger,
  metrics?: Registry,
  lineCap: LineCap = handlerLineCap(log, config.logLinesPerSecond),
  overrides: BusinessServerOverrides = {},
): Promise<BusinessServer> {
  const storeError = (err: Error) => log.error({ err: err.message }, 'store: background operation failed (retrying)');
  const retentionMs = config.noteChangesRetentionSeconds * 1000;
  const purgeEveryMs = purgeIntervalMs(config.noteChangesRetentionSeconds);
  const notes = await openNoteStore(config, storeError, { ...config.noteQuota, changesKeptMs: retentionMs + purgeEveryMs });
  log.info({ store: notes.backend === 'postgres' ? redactedUrl(config.databaseUrl!) : config.dbPath }, `store: ${notes.backend}`);
  const watchers = await NoteWatchers.open(notes.changes, notes.feed, CHANGE_POLL_MS[notes.backend], storeError);
  const purge = setInterval(() => void notes.changes.purge(Date.now() - retentionMs).catch(storeError), purgeEveryMs);
  purge.unref();
  // What handlers log on clients' behalf shares one cap; start-up and background lines use `log`.
  const clientLog = cappedLogger(log, lineCap);
  const upstream = await connectAuthUpstream(config, log, metrics, clientLog);
  const { auth } = upstream;
  if (metrics) {
    exposeTokenCache(metrics, auth.cache);
    exposeRevokedSessions(metrics, auth.revocations);
    exposeDroppedLogLines(metrics, lineCap);
  }
  const streams = new OpenStreams(config.transport, { cutOff: resetHttp2Stream });
  // A revoked session's open WatchNotes end now, not when their token expires.
  auth.revocations.onRevoked((sid) => streams.endSession(sid));
  const server = await startGrpcServer({
    ...config.listen,
    transport: config.transport,
    rpcLines: config.rpcLog,
    audit: { policies: BUSINESS_POLICIES, policyName: 'business-svc', decisions: config.auditAuthz, log: clientLog },
    readiness: auth.readiness,
    metrics: metrics && new RpcMetrics(metrics),
    credentials: serverCredentials(config.tls),
    log,
    // The same entry point a team's own service uses.
    authentication: overrides.authentication ?? auth.interceptor(BUSINESS_POLICIES),
    services: [
      {
        definition: DashboardServiceDefinition,
        implementation: dashboardServiceHandlers({ displayNames: upstream.displayNames, log: clientLog }),
      },
      {
        definition: NotesServiceDefinition,
        implementation: notesServiceHandlers({ notes, watchers, streams, maxNotesPerUser: config.maxNotesPerUser, log: clientLog }),
      },
      {
        definition: AdminNotesServiceDefinition,
        // Admins only, and its audit lines must never be dropped: the uncapped logger.
        implementation: adminNotesServiceHandlers({ notes, currentRoles: upstream.currentRoles, log }),
      },
    ],
    beforeDrain: () => streams.closeAll(),
  });
  return {
    server,
    close: async () => {
      clearInterval(purge);
      watchers.stop();
      upstream.close();
      await notes.close();
    },
  };
}
