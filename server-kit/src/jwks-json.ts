import type { PublicJwk } from './jwk.js';

/** A key as RFC 7517 writes it: only the members its key type has. */
export type JwkJson = Readonly<Record<string, string>>;

/** Our key set as a JWKS document (`{"keys": [...]}`), as Envoy, Istio, jose and PyJWT read it. */
export function toJwksJson(keys: readonly PublicJwk[]): { keys: JwkJson[] } {
  return {
    keys: keys.map((k): JwkJson =>
      k.kty === 'RSA'
        ? { kty: k.kty, use: k.use, alg: k.alg, kid: k.kid, n: k.n, e: k.e }
        : { kty: k.kty, use: k.use, alg: k.alg, kid: k.kid, crv: k.crv, x: k.x, y: k.y },
    ),
  };
}

/** Most keys taken from one document; a real issuer publishes a handful. */
export const MAX_JWKS_KEYS = 100;

/**
 * Another issuer's JWKS document → the keys in our shape. Members issuers often leave
 * out are filled in the one safe way: `use` means signing, and a missing `alg` is the
 * only asymmetric algorithm we accept for that key type and curve (RSA → RS256,
 * EC P-256 → ES256). Whatever else is wrong (symmetric keys, `use: enc`, unknown
 * algorithms) is left for `fromPublicJwk` to refuse. Throws when it is not a JWKS.
 */
export function parseJwksJson(doc: unknown): PublicJwk[] {
  const keys = (doc as { keys?: unknown } | null)?.keys;
  if (!Array.isArray(keys)) throw new Error('not a JWKS document (no "keys" array)');
  return keys.slice(0, MAX_JWKS_KEYS).flatMap((raw: unknown) => {
    if (raw === null || typeof raw !== 'object') return [];
    const member = (name: string) => {
      const v = (raw as Record<string, unknown>)[name];
      return typeof v === 'string' ? v : '';
    };
    const kty = member('kty');
    const crv = member('crv');
    const alg = member('alg') || (kty === 'RSA' ? 'RS256' : kty === 'EC' && crv === 'P-256' ? 'ES256' : '');
    return [{ kid: member('kid'), alg, kty, use: member('use') || 'sig', n: member('n'), e: member('e'), crv, x: member('x'), y: member('y') }];
  });
}
