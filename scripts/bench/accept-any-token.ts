import type { Principal, TokenVerifier } from '@grpc-token-auth/server-kit';

/**
 * The benchmark's own stand-in for verification: accepts any well-formed bearer token without
 * checking it, as user `subject`. Policy lookup and bearer parsing still run, so a benchmark
 * against it isolates what verification itself costs. Lives here, never in what ships: only
 * scripts/bench/business-svc-without-verification.ts builds a server with it.
 */
export function acceptAnyToken(subject: string): TokenVerifier {
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
  // The principal carries the presented token, so on-behalf-of calls to auth-svc still work.
  return (token) => ({ ok: true, value: { ...principal, token } });
}
