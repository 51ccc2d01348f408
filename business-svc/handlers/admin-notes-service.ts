import type { AdminNotesServiceServer } from '../../gen/business/v1/admin_notes_service.js';
import { ROLES } from '../../lib/authn/roles.js';
import { unary } from '../../lib/grpc/handlers.js';
import { decodePageToken, encodePageToken } from '../../lib/grpc/page-token.js';
import { pageSize } from '../../lib/grpc/validate.js';
import type { Logger } from '../../lib/log/logger.js';
import type { NoteStore } from '../store/note-store.js';
import type { CurrentRoles } from '../upstream/current-roles.js';

const PAGE = { defaultSize: 20, maxSize: 100 };

/**
 * business.v1.AdminNotesService: admins only, by the token's roles (the policy table) and by the
 * roles auth-svc holds now (`currentRoles`, when business-svc has a service client); counts, never contents.
 */
export function adminNotesServiceHandlers({ notes, currentRoles, log }: { notes: NoteStore; currentRoles: CurrentRoles | undefined; log: Logger }): AdminNotesServiceServer {
  return {
    countNotesByOwner: unary(log, async (req, { principal, call }) => {
      await currentRoles?.require(principal.subject, ROLES.admin, call);
      const limit = pageSize(req.pageSize, PAGE.defaultSize, PAGE.maxSize);
      const after = decodePageToken(req.pageToken, 'CountNotesByOwner', (p) => (p.length === 1 && typeof p[0] === 'string' ? p[0] : undefined));
      const rows = await notes.countsByOwner(after, limit + 1);
      const page = rows.slice(0, limit);
      log.info({ event: 'audit', actor: `user:${principal.subject}`, action: 'notes.count_by_owner', returned: page.length }, 'admin action');
      return {
        counts: page.map((c) => ({ ownerId: c.ownerId, noteCount: c.count })),
        nextPageToken: rows.length > limit ? encodePageToken([page[page.length - 1]!.ownerId]) : '',
      };
    }),
  };
}
