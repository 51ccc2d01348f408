import jwt from 'jsonwebtoken';
import { unauthenticated, unavailable, type AuthResult, type FailureReason } from './auth-failure.js';
import type { TokenVerifier } from './authenticate.js';
import { checkJwtShape } from './bearer.js';
import type { KeyResolver, VerificationKey } from './keys.js';
import type { Actor, Principal } from './principal.js';

export interface VerifyOptions {
  readonly keys: KeyResolver;
  readonly issuer: string;
  /** This service's own name (RFC 8707): only tokens issued for it are accepted. A list accepts any of them. */
  readonly audience: string | readonly string[];
  /**
   * RFC 9068 access-token profile, for tokens of grpc-token-auth's auth-svc: the header must say
   * `typ: at+jwt` and `aud` must name exactly one service. Off for another OIDC issuer's tokens,
   * which keep that issuer's rules. Default false.
   */
  readonly accessTokenProfile?: boolean | undefined;
  /** Allowed clock difference between services, in seconds. */
  readonly clockSkewSeconds: number;
  /** Current time in epoch seconds (injectable for tests). */
  readonly now?: (() => number) | undefined;
}

const MAX_SUBJECT_LENGTH = 128;
const AT_JWT = new Set(['at+jwt', 'application/at+jwt']);
/** Deeper `act` chains are refused: no real delegation chain is this long. */
const MAX_ACTOR_DEPTH = 4;

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
  if (opts.accessTokenProfile) {
    // An ID token or any other JWT of the same issuer is not an access token (RFC 9068 §4).
    if (typeof header.typ !== 'string' || !AT_JWT.has(header.typ.toLowerCase())) return fail('invalid_claims', 'token is not an access token (typ at+jwt)');
    if (typeof claims.value.aud !== 'string') return bad('aud');
  }
  return toPrincipal(claims.value, token, opts.audience);
}

function verifySignatureAndTimes(token: string, key: VerificationKey, opts: VerifyOptions): AuthResult<jwt.JwtPayload> {
  try {
    const payload = jwt.verify(token, key.key, {
      algorithms: [key.alg],
      issuer: opts.issuer,
      audience: typeof opts.audience === 'string' ? opts.audience : (opts.audience as [string, ...string[]]),
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

function toPrincipal(c: jwt.JwtPayload, token: string, expected: string | readonly string[]): AuthResult<Principal> {
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
  const actor = c.act === undefined ? undefined : actorOf(c.act, MAX_ACTOR_DEPTH);
  if (actor === null) return bad('act');
  const thumbprint = c.cnf === undefined ? undefined : thumbprintOf(c.cnf);
  if (thumbprint === null) return bad('cnf');
  // A list of audiences (other issuers) is named by its first entry this service accepts (jwt.verify found one).
  const audience = typeof c.aud === 'string' ? c.aud : (c.aud?.find((a) => (typeof expected === 'string' ? a === expected : expected.includes(a))) ?? '');
  return {
    ok: true,
    value: {
      kind: typ,
      subject: c.sub,
      roles,
      scopes,
      tokenId: c.jti,
      sessionId: c.sid,
      expiresAt: c.exp,
      audience,
      actor,
      certificateThumbprint: thumbprint,
      token,
    },
  };
}

/** `{"sub": id, "act"?: {...}}`, or null when malformed. */
function actorOf(v: unknown, depth: number): Actor | undefined | null {
  if (depth === 0 || v === null || typeof v !== 'object' || Array.isArray(v)) return null;
  const { sub, act } = v as Record<string, unknown>;
  if (typeof sub !== 'string' || sub === '' || sub.length > MAX_SUBJECT_LENGTH) return null;
  const inner = act === undefined ? undefined : actorOf(act, depth - 1);
  return inner === null ? null : { subject: sub, actor: inner };
}

/** `{"x5t#S256": base64url}` (RFC 8705 §3.1), or null when malformed or of another kind (fail closed). */
function thumbprintOf(v: unknown): string | null {
  if (v === null || typeof v !== 'object' || Array.isArray(v)) return null;
  const x5t = (v as Record<string, unknown>)['x5t#S256'];
  return typeof x5t === 'string' && /^[A-Za-z0-9_-]{43}$/.test(x5t) ? x5t : null;
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
