import { DashboardServiceService } from '../gen/business/v1/dashboard_service.js';
import { NotesServiceService } from '../gen/business/v1/notes_service.js';
import { createAuthenticate } from '../lib/authn/authenticate.js';
import { StaticKeySet, sharedSecretKey } from '../lib/authn/keys.js';
import { ANY_USER, INFRASTRUCTURE_POLICIES, type PolicyTable } from '../lib/authn/policy.js';
import { verifyAccessToken } from '../lib/authn/verify-token.js';
import { startGrpcServer, type RunningServer } from '../lib/grpc/server.js';
import type { Logger } from '../lib/log/logger.js';
import { openDatabase, type Db } from '../lib/sqlite/database.js';
import type { BusinessConfig } from './config.js';
import { dashboardServiceHandlers } from './handlers/dashboard-service.js';
import { notesServiceHandlers } from './handlers/notes-service.js';
import { BUSINESS_MIGRATIONS } from './store/migrations.js';
import { NoteChanges } from './store/note-changes.js';
import { NoteStore } from './store/note-store.js';

/** Who may call what on business-svc. Every RPC in proto/business must appear here. */
export const BUSINESS_POLICIES: PolicyTable = {
  ...INFRASTRUCTURE_POLICIES,
  [DashboardServiceService.getDashboard.path]: ANY_USER,
  ...Object.fromEntries(Object.values(NotesServiceService).map((m) => [m.path, ANY_USER])),
};

export interface BusinessServer {
  readonly server: RunningServer;
  readonly db: Db;
}

export async function startBusinessServer(config: BusinessConfig, log: Logger): Promise<BusinessServer> {
  const db = openDatabase(config.dbPath, BUSINESS_MIGRATIONS);
  const keys = new StaticKeySet([sharedSecretKey(config.tokens.sharedSecret)]);
  const changes = new NoteChanges();
  const notes = new NoteStore(db, changes);
  const server = await startGrpcServer({
    ...config.listen,
    log,
    authenticate: createAuthenticate(BUSINESS_POLICIES, (token) => verifyAccessToken(token, { ...config.tokens, keys })),
    services: [
      { name: 'business.v1.DashboardService', definition: DashboardServiceService, implementation: dashboardServiceHandlers({ log }) },
      { name: 'business.v1.NotesService', definition: NotesServiceService, implementation: notesServiceHandlers({ notes, changes, log }) },
    ],
    beforeDrain: () => changes.closeAll(),
  });
  return { server, db };
}
