/** Scopes a service client can hold; policies name them, admin commands grant them. */
export const SCOPES = {
  /** Subscribe to auth-svc's revocation stream (every verifying service needs it). */
  revocationsWatch: 'revocations.watch',
  /** Look users up in auth-svc's UserDirectory. */
  usersRead: 'users.read',
} as const;

const SCOPE_SHAPE = /^[a-z][a-z0-9._:-]{0,63}$/;

export function isValidScope(scope: string): boolean {
  return SCOPE_SHAPE.test(scope);
}
