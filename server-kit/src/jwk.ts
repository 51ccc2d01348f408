import { createHash, createPublicKey, type KeyObject } from 'node:crypto';
import type { SigningAlgorithm, VerificationKey } from './keys.js';

/** The JWK members verifiers use (RFC 7517/7518). */
export interface PublicJwk {
  readonly kid: string;
  readonly alg: string;
  readonly kty: string;
  readonly use: string;
  readonly n: string;
  readonly e: string;
  readonly crv: string;
  readonly x: string;
  readonly y: string;
}

const KTY_FOR: Record<string, string> = { RS256: 'RSA', ES256: 'EC' };

/** RFC 7638 thumbprint: a kid derived from the key itself, identical wherever it is computed. */
export function jwkThumbprint(key: KeyObject): string {
  const jwk = key.export({ format: 'jwk' });
  const members = jwk.kty === 'RSA' ? { e: jwk.e, kty: jwk.kty, n: jwk.n } : { crv: jwk.crv, kty: jwk.kty, x: jwk.x, y: jwk.y };
  return createHash('sha256').update(JSON.stringify(members)).digest('base64url');
}

export function toPublicJwk(kid: string, alg: SigningAlgorithm, publicKey: KeyObject): PublicJwk {
  const j = publicKey.export({ format: 'jwk' });
  return { kid, alg, kty: j.kty ?? '', use: 'sig', n: j.n ?? '', e: j.e ?? '', crv: j.crv ?? '', x: j.x ?? '', y: j.y ?? '' };
}

/**
 * A published key → a verification key, or undefined when it is not an asymmetric
 * signing key of a supported algorithm (a symmetric or mislabelled key is never accepted).
 */
export function fromPublicJwk(jwk: PublicJwk): VerificationKey | undefined {
  if (jwk.use !== 'sig' || KTY_FOR[jwk.alg] === undefined || KTY_FOR[jwk.alg] !== jwk.kty || jwk.kid === '') return undefined;
  try {
    const key =
      jwk.kty === 'RSA'
        ? createPublicKey({ key: { kty: 'RSA', n: jwk.n, e: jwk.e }, format: 'jwk' })
        : createPublicKey({ key: { kty: 'EC', crv: jwk.crv, x: jwk.x, y: jwk.y }, format: 'jwk' });
    if (jwk.kty === 'EC' && jwk.crv !== 'P-256') return undefined;
    return { kid: jwk.kid, alg: jwk.alg as SigningAlgorithm, key };
  } catch {
    return undefined;
  }
}
