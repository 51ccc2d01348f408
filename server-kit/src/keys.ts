import { createHash, createSecretKey, type KeyObject } from 'node:crypto';

export type SigningAlgorithm = 'HS256' | 'RS256' | 'ES256';

/** A key that can check signatures, with the one algorithm it may be used with. */
export interface VerificationKey {
  readonly kid: string;
  readonly alg: SigningAlgorithm;
  /** Built once: jsonwebtoken is ~45x slower when handed a string secret (it tries PEM parsing first). */
  readonly key: KeyObject;
}

/** Where verifiers look keys up by the token header's `kid`. */
export interface KeyResolver {
  find(kid: string): VerificationKey | undefined;
  /** Keys held now; 0 means nothing can be verified yet (not ready, rather than a bad token). */
  readonly size: number;
}

export const MIN_SECRET_BYTES = 32;

/** HS256 with a secret shared by every service (the original design). */
export function sharedSecretKey(secret: string): VerificationKey {
  const bytes = Buffer.from(secret, 'utf8');
  if (bytes.length < MIN_SECRET_BYTES) {
    throw new Error(`shared secret must be at least ${MIN_SECRET_BYTES} bytes`);
  }
  // The kid names the secret without revealing it, so a mismatch between services is visible.
  const kid = 'hs256-' + createHash('sha256').update(bytes).digest('hex').slice(0, 12);
  return { kid, alg: 'HS256', key: createSecretKey(bytes) };
}

export class StaticKeySet implements KeyResolver {
  private readonly byKid: ReadonlyMap<string, VerificationKey>;

  constructor(keys: readonly VerificationKey[]) {
    this.byKid = new Map(keys.map((k) => [k.kid, k]));
  }

  find(kid: string): VerificationKey | undefined {
    return this.byKid.get(kid);
  }

  get size(): number {
    return this.byKid.size;
  }
}
