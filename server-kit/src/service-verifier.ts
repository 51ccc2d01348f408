import type { TokenVerifier } from './authenticate.js';
import { withRevocations, type RevocationList } from './revocation-list.js';
import { cachedVerifier, type TokenCache } from './token-cache.js';

/**
 * How every service checks tokens: `verify` behind a cache of verified tokens, with the
 * revocation check after the cache, so a cached token of a revoked session is still
 * refused; a revocation also drops that session's cached tokens at once.
 */
export function revocationAwareVerifier(
  verify: TokenVerifier,
  revocations: RevocationList,
  maxCachedTokens: number,
): { readonly verify: TokenVerifier; readonly cache: TokenCache } {
  const cache = cachedVerifier(verify, { maxEntries: maxCachedTokens });
  revocations.onRevoked((sid) => cache.forgetSession(sid));
  return { verify: withRevocations(cache.verify, revocations), cache };
}
