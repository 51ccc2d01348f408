import { createAuthenticate, unauthenticated, type Authenticate, type PolicyTable, type TokenVerifier } from '@grpc-token-auth/server-kit';
import type { Audiences } from './audiences.js';

/**
 * auth-svc's rule for its own protected methods: a token for auth-svc itself (RFC 8707), except on
 * `sessionMethods` (Logout, LogoutAll, ChangePassword), which act on the session of whatever token
 * the user holds, so they take the session's token for any audience this issuer serves.
 * `verify` accepts every issued audience; the narrower check runs after it, on the cached answer.
 */
export function ownAudienceAuthenticate(
  policies: PolicyTable,
  verify: TokenVerifier,
  audiences: Audiences,
  sessionMethods: ReadonlySet<string>,
  opts: { readonly requireBoundServiceTokens: boolean },
): Authenticate {
  const own: TokenVerifier = (token) => {
    const verified = verify(token);
    if (verified.ok && !audiences.own.includes(verified.value.audience)) {
      return { ok: false, failure: unauthenticated('wrong_audience', 'token is not meant for this service') };
    }
    return verified;
  };
  const anyAudience = createAuthenticate(policies, verify, opts);
  const ownAudience = createAuthenticate(policies, own, opts);
  return (path, authorization, peerCertificate) => (sessionMethods.has(path) ? anyAudience : ownAudience)(path, authorization, peerCertificate);
}
