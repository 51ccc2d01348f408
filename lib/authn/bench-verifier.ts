import type { Principal, TokenVerifier } from '@grpc-token-auth/server-kit';

/**
 * Benchmark only (BENCH_DISABLE_AUTH=1, refused in production): accepts any well-formed
 * bearer token without checking it, as user `subject`. Policy lookup and bearer parsing
 * still run, so a benchmark against this isolates what verification itself costs. The
 * principal carries the presented token, so on-behalf-of calls to auth-svc still work.
 */
export function benchVerifier(subject: string): TokenVerifier {
  const principal: Principal = {
    kind: 'user',
    subject,
    roles: [],
    scopes: [],
    tokenId: 'bench',
    audience: 'bench',
    actor: undefined,
    certificateThumbprint: undefined,
    sessionId: undefined,
    expiresAt: Number.MAX_SAFE_INTEGER,
    token: '',
  };
  return (token) => ({ ok: true, value: { ...principal, token } });
}
