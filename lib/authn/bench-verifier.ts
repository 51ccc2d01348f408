import type { AuthResult } from './auth-failure.js';
import type { TokenVerifier } from './authenticate.js';
import type { Principal } from './principal.js';

/** The subject every call runs as when BENCH_DISABLE_AUTH=1. */
export const BENCH_SUBJECT = 'bench-user';

/**
 * Benchmark only (BENCH_DISABLE_AUTH=1, refused in production): accepts any well-formed
 * bearer token without checking it. Policy lookup and bearer parsing still run, so a
 * benchmark against this isolates what verification itself costs.
 */
export function benchVerifier(): TokenVerifier {
  const principal: Principal = {
    kind: 'user',
    subject: BENCH_SUBJECT,
    roles: [],
    scopes: [],
    tokenId: 'bench',
    sessionId: undefined,
    expiresAt: Number.MAX_SAFE_INTEGER,
    token: '',
  };
  const accepted: AuthResult<Principal> = { ok: true, value: principal };
  return () => accepted;
}
