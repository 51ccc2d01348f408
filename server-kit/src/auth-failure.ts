/**
 * Why a call was refused. `reason` is a stable machine-readable label (logs, metrics);
 * `message` is what the caller reads in the gRPC status details.
 */
export type FailureReason =
  | 'missing'
  | 'malformed'
  | 'oversized'
  | 'wrong_scheme'
  | 'unsupported_algorithm'
  | 'unknown_key'
  | 'invalid_signature'
  | 'expired'
  | 'not_yet_valid'
  | 'wrong_issuer'
  | 'wrong_audience'
  | 'invalid_claims'
  | 'revoked'
  | 'token_binding'
  | 'forbidden'
  | 'no_policy'
  | 'no_keys';

export interface AuthFailure {
  /**
   * UNAUTHENTICATED when no valid identity was shown; PERMISSION_DENIED when it was, but is not
   * allowed; UNAVAILABLE when this service cannot check tokens yet (no keys): the caller's
   * credentials may be fine, so it must retry, not sign in again.
   */
  readonly status: 'unauthenticated' | 'permission_denied' | 'unavailable';
  readonly reason: FailureReason;
  readonly message: string;
}

export function unauthenticated(reason: FailureReason, message: string): AuthFailure {
  return { status: 'unauthenticated', reason, message };
}

export function unavailable(reason: FailureReason, message: string): AuthFailure {
  return { status: 'unavailable', reason, message };
}

export function permissionDenied(reason: FailureReason, message: string): AuthFailure {
  return { status: 'permission_denied', reason, message };
}

export type AuthResult<T> = { ok: true; value: T } | { ok: false; failure: AuthFailure };
