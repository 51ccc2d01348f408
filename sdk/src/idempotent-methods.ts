import { AdminServiceDefinition } from '@grpc-token-auth/sdk/gen/auth/v1/admin_service.js';
import { AuthServiceDefinition } from '@grpc-token-auth/sdk/gen/auth/v1/auth_service.js';
import { KeysServiceDefinition } from '@grpc-token-auth/sdk/gen/auth/v1/keys_service.js';
import { RevocationServiceDefinition } from '@grpc-token-auth/sdk/gen/auth/v1/revocation_service.js';
import { UserDirectoryDefinition } from '@grpc-token-auth/sdk/gen/auth/v1/user_directory.js';
import { AdminNotesServiceDefinition } from '@grpc-token-auth/sdk/gen/business/v1/admin_notes_service.js';
import { DashboardServiceDefinition } from '@grpc-token-auth/sdk/gen/business/v1/dashboard_service.js';
import { NotesServiceDefinition } from '@grpc-token-auth/sdk/gen/business/v1/notes_service.js';
import type { ServiceDefinition } from './promise-client.js';

/** Every service of the auth.v1 and business.v1 contracts. */
const CONTRACT_SERVICES: readonly ServiceDefinition[] = [
  AuthServiceDefinition,
  AdminServiceDefinition,
  KeysServiceDefinition,
  RevocationServiceDefinition,
  UserDirectoryDefinition,
  NotesServiceDefinition,
  DashboardServiceDefinition,
  AdminNotesServiceDefinition,
];

/** The `idempotency_level`s (descriptor.proto) that say running a call twice is harmless. */
const RETRY_SAFE_LEVELS: ReadonlySet<string> = new Set(['NO_SIDE_EFFECTS', 'IDEMPOTENT']);

/**
 * Paths of the unary methods whose contract says they are safe to run twice
 * (`option idempotency_level = NO_SIDE_EFFECTS` or `IDEMPOTENT`, which ts-proto's generic
 * definitions carry as `options.idempotencyLevel`). A retried attempt may already have run
 * on a replica that died before answering, so only these are ever retried. Streams are
 * left out even when marked: their readers reopen them (WatchNotes with a resume token).
 */
export function retrySafeMethods(...services: readonly ServiceDefinition[]): string[] {
  return services.flatMap((service) =>
    Object.values(service.methods)
      .filter((m) => !m.requestStream && !m.responseStream && RETRY_SAFE_LEVELS.has(m.options?.idempotencyLevel ?? ''))
      .map((m) => `/${service.fullName}/${m.name}`),
  );
}

/**
 * The methods of our contracts that the SDK retries on UNAVAILABLE, read from the protos'
 * `idempotency_level` (never Login, Register, Refresh, Logout*, ChangePassword,
 * IssueServiceToken or Create/Update/DeleteNote, which the protos leave unmarked).
 */
export const IDEMPOTENT_METHODS: readonly string[] = retrySafeMethods(...CONTRACT_SERVICES);
