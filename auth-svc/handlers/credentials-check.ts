import { status } from '@grpc/grpc-js';
import { GrpcError } from '../../lib/grpc/errors.js';
import type { PasswordHasher } from '../passwords/password-hasher.js';
import { MAX_PASSWORD_LENGTH } from '../passwords/password-policy.js';
import { normalizeEmail, type User, type UserStore } from '../store/user-store.js';
import { clientAddress } from '@grpc-token-auth/server-kit/internal';
import type { LoginGuard } from '../throttle/login-guard.js';

/** Deliberately identical for unknown email and wrong password: no account enumeration. */
export const BAD_CREDENTIALS = 'invalid email or password';

export interface PasswordCheckDeps {
  readonly users: UserStore;
  readonly hasher: PasswordHasher;
  readonly loginGuard: LoginGuard;
}

/**
 * Checks a password for an account, behind the login throttle (RESOURCE_EXHAUSTED when
 * throttled). `email` keys the account even when no such user exists, so guessing at
 * unknown accounts is throttled too.
 */
export function throttledPasswordCheck(
  { users, hasher, loginGuard }: PasswordCheckDeps,
  email: string,
  user: User | undefined,
  password: string,
  peer: string,
): Promise<boolean> {
  return loginGuard.run(normalizeEmail(email), clientAddress(peer), () => passwordMatches(users, hasher, user, password));
}

/**
 * Checks a password against a user (or against a dummy hash when there is no such user,
 * so both failures take the same time), upgrading an outdated hash on success.
 */
async function passwordMatches(users: UserStore, hasher: PasswordHasher, user: User | undefined, password: string): Promise<boolean> {
  // Over-long input would only burn hashing time; it cannot be a valid password.
  if ([...password].length > MAX_PASSWORD_LENGTH) return false;
  const ok = user ? await hasher.verify(password, user.passwordHash) : await hasher.verifyNothing(password);
  if (ok && user && hasher.needsRehash(user.passwordHash)) await users.setPasswordHash(user.id, await hasher.hash(password));
  return ok && user !== undefined;
}

/**
 * The throttle's account key for sign-in attempts with an email no account can have (over-long,
 * invisible or unstorable characters): one per client address, so junk of any length costs the
 * throttle one short entry, and one client's junk does not slow anyone else's typo. Starts with
 * U+0001, a control character no accepted email holds (not NUL: PostgreSQL, which keeps the
 * throttle's rows for replicas, cannot store NUL in text).
 */
export const unusableKey = (what: string, address: string) => `\u0001unusable-${what} ${address}`;
const unusableEmailKey = (address: string) => unusableKey('email', address);

/**
 * A sign-in attempt refused before any store lookup (its email cannot name an account) still
 * counts as a failed attempt for the client's address, like a wrong password: validation must
 * not be a way around the throttle. Throws `refusal`, or RESOURCE_EXHAUSTED when throttled.
 */
export async function countedRefusal({ loginGuard }: Pick<PasswordCheckDeps, 'loginGuard'>, peer: string, refusal: GrpcError): Promise<never> {
  const address = clientAddress(peer);
  await loginGuard.run(unusableEmailKey(address), address, async () => false);
  throw refusal;
}

export function badCredentials(): GrpcError {
  return new GrpcError(status.UNAUTHENTICATED, BAD_CREDENTIALS);
}
