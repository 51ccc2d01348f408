import type { AuthFailure, AuthResult, Principal } from '../dist/index.js';
/** A verified principal with sensible defaults, for tests that do not care about every field. */
export function userPrincipal(overrides: Partial<Principal> = {}): Principal {
  return {
    kind: 'user',
    subject: 'user-1',
    roles: [],
    scopes: [],
    tokenId: 'jti-1',
    sessionId: undefined,
    expiresAt: 1_700_000_300,
    audience: 'kit-tests',
    actor: undefined,
    certificateThumbprint: undefined,
    token: 'h.p.s',
    ...overrides,
  };
}

export function servicePrincipal(overrides: Partial<Principal> = {}): Principal {
  return userPrincipal({ kind: 'service', subject: 'svc-reporting', ...overrides });
}

/** Narrows a result to its failure, failing the test with the unexpected value otherwise. */
export function failureOf<T>(result: AuthResult<T> | { ok: true; principal: unknown } | { ok: false; failure: AuthFailure }): AuthFailure {
  if (result.ok) throw new Error(`expected a failure, got success: ${JSON.stringify(result)}`);
  return result.failure;
}

/** Narrows a result to its value, failing the test with the failure otherwise. */
export function valueOf<T>(result: AuthResult<T>): T {
  if (!result.ok) throw new Error(`expected success, got ${result.failure.reason}: ${result.failure.message}`);
  return result.value;
}
