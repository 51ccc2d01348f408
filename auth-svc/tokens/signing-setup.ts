import { sharedSecretKey, StaticKeySet, type KeyResolver, type PublicJwk } from '@grpc-token-auth/server-kit';
import type { TokenConfig } from '../../lib/config/token-config.js';
import type { AuthStore } from '../store/auth-store.js';
import type { KeyStore } from '../store/key-store.js';
import { KeyRing } from './key-ring.js';
import type { SigningKey } from './token-issuer.js';

export interface SigningSetup {
  readonly signingKey: () => SigningKey;
  readonly publicKeys: () => PublicJwk[];
  readonly verificationKeys: KeyResolver;
  readonly stop: () => void;
}

/**
 * Asymmetric keys from the key store (default), or the shared HS256 secret (parity mode).
 * `verifyWindowMs`: how long a retired key must keep verifying (token lifetime + skew).
 * `onError` hears failed background re-reads of the key store.
 */
export async function signingSetup(store: AuthStore, tokens: TokenConfig, verifyWindowMs: number, onError: (err: Error) => void): Promise<SigningSetup> {
  if (tokens.algorithm === 'HS256') {
    const key = sharedSecretKey(tokens.sharedSecret!);
    return { signingKey: () => key, publicKeys: () => [], verificationKeys: new StaticKeySet([key]), stop: () => {} };
  }
  const ring = openKeyRing(store.keys, tokens, verifyWindowMs);
  await ring.ensureKey();
  ring.watch(store.changes, onError);
  return {
    signingKey: () => ring.signingKey(),
    publicKeys: () => ring.publicKeys(),
    verificationKeys: ring,
    stop: () => ring.stop(),
  };
}

export function openKeyRing(keys: KeyStore, tokens: TokenConfig, verifyWindowMs: number): KeyRing {
  const alg = tokens.algorithm === 'ES256' ? 'ES256' : 'RS256';
  return new KeyRing(keys, { alg, verifyWindowMs });
}
