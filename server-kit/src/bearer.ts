import { unauthenticated, type AuthResult } from './auth-failure.js';

/** Larger headers are refused before any parsing (real tokens are well under 2 KiB). */
export const MAX_AUTHORIZATION_LENGTH = 8192;

const JWT_SHAPE = /^[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+\.[A-Za-z0-9_-]*$/;

/**
 * Extracts the token from `authorization: Bearer <token>` metadata values and checks that it
 * has a JWT's shape. The scheme is case-insensitive (RFC 7235); exactly one value must be present.
 */
export function parseBearer(values: readonly unknown[]): AuthResult<string> {
  const token = bearerToken(values);
  return token.ok ? checkJwtShape(token.value) : token;
}

/**
 * parseBearer with only a cheap shape check (three dot-separated segments, no space). The
 * interceptor's path uses this one: a token found in the verified-token cache passed the full
 * check when it was verified, and `verifyAccessToken` makes it on every miss, so the regular
 * expression over ~800 characters is not paid on every call. A custom TokenVerifier still never
 * sees a value that is not three segments.
 */
export function bearerToken(values: readonly unknown[]): AuthResult<string> {
  if (values.length === 0) return fail('missing', 'missing authorization metadata: send "authorization: Bearer <token>"');
  if (values.length > 1) return fail('malformed', 'more than one authorization value');
  const header = values[0];
  if (typeof header !== 'string') return fail('malformed', 'authorization metadata must be text');
  if (header.length > MAX_AUTHORIZATION_LENGTH) return fail('oversized', 'authorization metadata is too large');
  const space = header.indexOf(' ');
  const scheme = space === -1 ? header : header.slice(0, space);
  if (scheme.toLowerCase() !== 'bearer') return fail('wrong_scheme', 'authorization scheme must be Bearer');
  const token = header.slice(space + 1).trim();
  if (space === -1 || token === '') return fail('missing', 'bearer token is empty');
  if (!threeSegments(token)) return fail('malformed', 'bearer token is not a JWT');
  return { ok: true, value: token };
}

function threeSegments(token: string): boolean {
  const first = token.indexOf('.');
  const second = first > 0 ? token.indexOf('.', first + 1) : -1;
  return second > first + 1 && token.indexOf('.', second + 1) === -1 && token.indexOf(' ') === -1;
}

/** Three base64url segments (the signature may be empty, so that `alg: none` is refused by name). */
export function checkJwtShape(token: string): AuthResult<string> {
  return JWT_SHAPE.test(token) ? { ok: true, value: token } : fail('malformed', 'bearer token is not a JWT');
}

function fail(reason: 'missing' | 'malformed' | 'oversized' | 'wrong_scheme', message: string): AuthResult<string> {
  return { ok: false, failure: unauthenticated(reason, message) };
}
