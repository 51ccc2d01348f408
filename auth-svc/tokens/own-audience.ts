import { createAuthenticate, unauthenticated, type Authenticate, type MethodPolicy, type PolicyTable, type TokenVerifier } from '@grpc-token-auth/server-kit';
import type { Audiences } from './audiences.js';

/**
 * auth-svc's rule for its own protected methods: a token for auth-svc itself (RFC 8707), except on
 * `sessionMethods` (Logout, LogoutAll, ChangePassword), which act on the session of whatever token
 * the user holds, so they take the session's token for any audience this issuer serves.
 * `verify` accepts every issued audience; the narrower check runs after it, on the cached answer.
 */
export interface OwnAudienceRules {
  /** Methods on the caller's own session: any issued audience. */
  readonly sessionMethods: ReadonlySet<string>;
  /**
   * Public methods whose caller may instead prove who it is with its own service token, bound to
   * the certificate of this very connection (RFC 8705): the policy applied when a token is sent.
   */
  readonly boundTokenAlternative: Readonly<Record<string, MethodPolicy>>;
  readonly requireBoundServiceTokens: boolean;
}

export function ownAudienceAuthenticate(policies: PolicyTable, verify: TokenVerifier, audiences: Audiences, rules: OwnAudienceRules): Authenticate {
  const { sessionMethods, requireBoundServiceTokens } = rules;
  const own: TokenVerifier = (token) => {
    const verified = verify(token);
    if (verified.ok && !audiences.own.includes(verified.value.audience)) {
      return { ok: false, failure: unauthenticated('wrong_audience', 'token is not meant for this service') };
    }
    return verified;
  };
  const anyAudience = createAuthenticate(policies, verify, { requireBoundServiceTokens });
  const ownAudience = createAuthenticate(policies, own, { requireBoundServiceTokens });
  // Only a bound token will do here: a copied bearer token must not stand in for a client secret.
  const boundToken = createAuthenticate(rules.boundTokenAlternative, own, { requireBoundServiceTokens: true });
  return (path, authorization, peerCertificate) => {
    if (authorization.length > 0 && Object.hasOwn(rules.boundTokenAlternative, path)) return boundToken(path, authorization, peerCertificate);
    return (sessionMethods.has(path) ? anyAudience : ownAudience)(path, authorization, peerCertificate);
  };
}
