import { sharedSecretKey, StaticKeySet, type KeyResolver } from '../../lib/authn/keys.js';
import type { PublicJwk } from '../../lib/authn/jwk.js';
import type { TokenConfig } from '../../lib/config/token-config.js';
import type { Db } from '../../lib/sqlite/database.js';
import { KeyStore } from '../store/key-store.js';
import { KeyRing } from './key-ring.js';
import type { SigningKey } from './token-issuer.js';

export interface SigningSetup {
  readonly signingKey: () => SigningKey;
  readonly publicKeys: () => PublicJwk[];
  readonly verificationKeys: KeyResolver;
}

/** Asymmetric keys from the key store (default), or the shared HS256 secret (parity mode). */
/** `verifyWindowMs`: how long a retired key must keep verifying (token lifetime + skew). */
export function signingSetup(db: Db, tokens: TokenConfig, verifyWindowMs: number): SigningSetup {
  if (tokens.algorithm === 'HS256') {
    const key = sharedSecretKey(tokens.sharedSecret!);
    return { signingKey: () => key, publicKeys: () => [], verificationKeys: new StaticKeySet([key]) };
  }
  const ring = openKeyRing(db, tokens, verifyWindowMs);
  ring.ensureKey();
  return {
    signingKey: () => ring.signingKey(),
    publicKeys: () => ring.publicKeys(),
    verificationKeys: ring,
  };
}

export function openKeyRing(db: Db, tokens: TokenConfig, verifyWindowMs: number): KeyRing {
  const alg = tokens.algorithm === 'ES256' ? 'ES256' : 'RS256';
  return new KeyRing(new KeyStore(db), { alg, verifyWindowMs });
}
