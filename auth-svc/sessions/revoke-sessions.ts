import type { SessionStore } from '../store/session-store.js';
import type { Revoker } from './revoker.js';

/**
 * Revokes every open session of a user but `keep`, and publishes them to verifiers (through
 * the revocation store, so other processes' streams carry them too); returns how many.
 * Used by logout-everywhere, password changes and disabling an account (also from the CLI).
 */
export async function revokeSessionsOf(
  deps: { readonly sessions: SessionStore; readonly revoker: Revoker },
  userId: string,
  reason: string,
  now: number,
  keep?: string,
): Promise<number> {
  const ids = (await deps.sessions.openSessionIds(userId, now)).filter((id) => id !== keep);
  const revoked: string[] = [];
  for (const id of ids) if (await deps.sessions.markRevoked(id, reason, now)) revoked.push(id);
  await deps.revoker.revoke(revoked);
  return revoked.length;
}
