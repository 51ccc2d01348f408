import { KeysServiceService } from '@grpc-token-auth/sdk/gen/auth/v1/keys_service.js';
import { UserDirectoryService } from '@grpc-token-auth/sdk/gen/auth/v1/user_directory.js';
import { DashboardServiceService } from '@grpc-token-auth/sdk/gen/business/v1/dashboard_service.js';
import { NotesServiceService } from '@grpc-token-auth/sdk/gen/business/v1/notes_service.js';

/**
 * The only methods the SDK retries on UNAVAILABLE: reads, which give the same answer and
 * change nothing however often a replica runs them. A retried attempt may already have
 * run on a replica that died before answering, so a method belongs here only if running
 * it twice is harmless. Never add Login/Register (a second account or a throttling
 * strike), Refresh (the refresh token is single-use: a replay revokes the session),
 * Logout*, ChangePassword, IssueServiceToken or any Create/Update/DeleteNote.
 * Streams are absent too: their watchers reconnect themselves.
 *
 * Taken from the generated definitions, so a renamed method fails to compile.
 */
export const IDEMPOTENT_METHODS: readonly string[] = [
  DashboardServiceService.getDashboard.path,
  NotesServiceService.getNote.path,
  NotesServiceService.listNotes.path,
  KeysServiceService.listPublicKeys.path,
  UserDirectoryService.getUser.path,
];
