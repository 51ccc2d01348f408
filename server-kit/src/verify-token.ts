import jwt from 'jsonwebtoken';
import { unauthenticated, unavailable, type AuthResult, type FailureReason } from './auth-failure.js';
import type { TokenVerifier } from './authenticate.js';
import { checkJwtShape } from './bearer.js';
import type { KeyResolver, VerificationKey } from './keys.js';
import type { Principal } from './principal.js';

export interface VerifyOptions {
  readonly keys: KeyResolver;
  readonly issuer: string;
  readonly audience: string;
  /** Allowed clock difference between services, in seconds. */
  readonly clockSkewSeconds: number;
  /** Current time in epoch seconds (injectable for tests). */
  readonly now?: (() => number) | undefined;
}

const MAX_SUBJECT_LENGTH = 128;

/** The verifier a service plugs into createAuthenticate; options are fixed once, not rebuilt per call. */
export function tokenVerifier(opts: VerifyOptions): TokenVerifier {
  return (token) => verifyAccessToken(token, opts);
}

/** Verifies signature (algorithm pinned by the key), expiry, issuer and audience, then the claim shapes. */
export function verifyAccessToken(token: string, opts: VerifyOptions): AuthResult<Principal> {
  const shape = checkJwtShape(token);
  if (!shape.ok) return shape;
  const header = decodeSegment(token, 0);
  if (!header) return fail('malformed', 'token header is not valid JSON');
  if (typeof header.alg !== 'string' || header.alg.toLowerCase() === 'none') {
    return fail('unsupported_algorithm', 'unsigned tokens are not accepted');
  }
  if (typeof header.kid !== 'string' || header.kid === '') return fail('unknown_key', 'token has no key id (kid)');
  const key = opts.keys.find(header.kid);
  if (!key) {
    if (opts.keys.size === 0) return { ok: false, failure: unavailable('no_keys', 'verification keys are not loaded yet; retry shortly') };
    return fail('unknown_key', 'token was signed with an unknown key');
  }
  // Algorithm confusion: the key, not the token, decides the algorithm.
  if (header.alg !== key.alg) return fail('unsupported_algorithm', `token algorithm must be ${key.alg}`);

  const claims = verifySignatureAndTimes(token, key, opts);
  if (!claims.ok) return claims;
  return toPrincipal(claims.value, token);
}

function verifySignatureAndTimes(token: string, key: VerificationKey, opts: VerifyOptions): AuthResult<jwt.JwtPayload> {
  try {
    const payload = jwt.verify(token, key.key, {
      algorithms: [key.alg],
      issuer: opts.issuer,
      audience: opts.audience,
      clockTolerance: opts.clockSkewSeconds,
      clockTimestamp: opts.now ? opts.now() : undefined,
    });
    if (typeof payload === 'string') return fail('invalid_claims', 'token payload must be a JSON object');
    return { ok: true, value: payload };
  } catch (err) {
    // A correctly signed but non-JSON payload would otherwise surface as a confusing claim error.
    if (!decodeSegment(token, 1)) return fail('malformed', 'token payload is not valid JSON');
    return classify(err);
  }
}

function classify(err: unknown): AuthResult<never> {
  if (err instanceof jwt.TokenExpiredError) return fail('expired', 'token expired');
  if (err instanceof jwt.NotBeforeError) return fail('not_yet_valid', 'token not yet valid');
  const message = err instanceof Error ? err.message : '';
  if (message === 'invalid signature') return fail('invalid_signature', 'token signature is invalid');
  if (message.startsWith('jwt issuer invalid')) return fail('wrong_issuer', 'token issuer is not trusted');
  if (message.startsWith('jwt audience invalid')) return fail('wrong_audience', 'token is not meant for this service');
  if (message === 'invalid algorithm') return fail('unsupported_algorithm', 'token algorithm is not accepted');
  return fail('malformed', 'token is malformed');
}

function toPrincipal(c: jwt.JwtPayload, token: string): AuthResult<Principal> {
  if (typeof c.sub !== 'string' || c.sub === '' || c.sub.length > MAX_SUBJECT_LENGTH) return bad('sub');
  if (typeof c.exp !== 'number') return bad('exp');
  if (typeof c.iat !== 'number') return bad('iat');
  if (typeof c.jti !== 'string' || c.jti === '') return bad('jti');
  const typ = c.typ ?? 'user';
  if (typ !== 'user' && typ !== 'service') return bad('typ');
  const roles = stringList(c.roles);
  // OAuth style: one space-separated string.
  const scopes = c.scope === undefined ? [] : typeof c.scope === 'string' ? c.scope.split(' ').filter(Boolean) : undefined;
  if (!roles) return bad('roles');
  if (!scopes) return bad('scope');
  if (c.sid !== undefined && typeof c.sid !== 'string') return bad('sid');
  return {
    ok: true,
    value: { kind: typ, subject: c.sub, roles, scopes, tokenId: c.jti, sessionId: c.sid, expiresAt: c.exp, token },
  };
}

function stringList(v: unknown): string[] | undefined {
  if (v === undefined) return [];
  return Array.isArray(v) && v.every((x) => typeof x === 'string') ? v : undefined;
}

function decodeSegment(token: string, index: number): Record<string, unknown> | undefined {
  try {
    const json: unknown = JSON.parse(Buffer.from(token.split('.')[index] ?? '', 'base64url').toString('utf8'));
    return json !== null && typeof json === 'object' && !Array.isArray(json) ? (json as Record<string, unknown>) : undefined;
  } catch {
    return undefined;
  }
}

function bad(claim: string): AuthResult<never> {
  return fail('invalid_claims', `token claim "${claim}" is missing or invalid`);
}

function fail(reason: FailureReason, message: string): AuthResult<never> {
  return { ok: false, failure: unauthenticated(reason, message) };
}
