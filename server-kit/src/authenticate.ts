import { permissionDenied, type AuthFailure, type AuthResult } from './auth-failure.js';
import { bearerToken } from './bearer.js';
import { bindingFailure, type PeerCertificate } from './certificate-binding.js';
import { authorize, type MethodPolicy, type PolicyTable } from './policy.js';
import type { Principal } from './principal.js';

/** Outcome for one call: a principal (undefined for anonymous calls to public methods) or a refusal. */
export type AuthDecision =
  | { ok: true; principal: Principal | undefined }
  /** `principal`: the verified caller the policy did not allow (for audit), when it got that far. */
  | { ok: false; failure: AuthFailure; principal?: Principal | undefined };

export type TokenVerifier = (token: string) => AuthResult<Principal>;

/**
 * The whole authentication rule for one call: policy → bearer token → verification (which checks
 * the token's shape) → certificate binding → authorization. `peerCertificate` gives the call's
 * client certificate (mutual TLS), read only when a token is bound to one.
 */
export type Authenticate = (methodPath: string, authorization: readonly unknown[], peerCertificate?: PeerCertificate) => AuthDecision;

export interface AuthenticateOptions {
  /** Refuse service tokens that are not bound to a client certificate (RFC 8705). Default false. */
  readonly requireBoundServiceTokens?: boolean | undefined;
}

export function createAuthenticate(policies: PolicyTable, verify: TokenVerifier, opts: AuthenticateOptions = {}): Authenticate {
  const table = new Map<string, MethodPolicy>(Object.entries(policies));
  const requireBound = opts.requireBoundServiceTokens ?? false;
  return (methodPath, authorization, peerCertificate) => {
    const policy = table.get(methodPath);
    if (!policy) return { ok: false, failure: permissionDenied('no_policy', 'no access policy is declared for this method') };
    // Public methods ignore credentials entirely, so a stale token never breaks a health check.
    if (policy.access === 'public') return { ok: true, principal: undefined };
    const token = bearerToken(authorization);
    if (!token.ok) return token;
    const verified = verify(token.value);
    if (!verified.ok) return verified;
    const unbound = bindingFailure(verified.value, peerCertificate, requireBound);
    if (unbound) return { ok: false, failure: unbound };
    const denied = authorize(policy, verified.value);
    return denied ? { ok: false, failure: denied, principal: verified.value } : { ok: true, principal: verified.value };
  };
}
