import { LRUCache } from 'lru-cache';
import type { AuthResult, FailureReason } from './auth-failure.js';
import type { TokenVerifier } from './authenticate.js';
import type { Principal } from './principal.js';

export interface TokenCacheOptions {
  /** Most verified tokens kept; 0 turns the cache off (every call verifies). */
  readonly maxEntries: number;
  /** Current time in epoch milliseconds (injectable for tests). */
  readonly now?: (() => number) | undefined;
  /** Most refused tokens remembered (see NEGATIVE_REASONS); 0 turns that off. Default 1000. */
  readonly maxNegativeEntries?: number | undefined;
  /** How long a refusal is remembered. Default 5 s. */
  readonly negativeTtlMs?: number | undefined;
}

export interface TokenCacheStats {
  readonly hits: number;
  readonly misses: number;
  /** Calls answered from the remembered refusals. */
  readonly negativeHits: number;
  readonly size: number;
}

/** A TokenVerifier that remembers verified tokens; see cachedVerifier. */
export interface TokenCache {
  /** Drop-in for the wrapped verifier (a plain function, safe to pass around unbound). */
  readonly verify: TokenVerifier;
  /** Forgets every cached token of a session, so a revoked session is re-verified (and refused) at once. */
  forgetSession(sessionId: string): void;
  /** Forgets everything, e.g. when a verification key is withdrawn. */
  clear(): void;
  stats(): TokenCacheStats;
}

/**
 * Refusals that depend on the token bytes alone, so remembering them briefly cannot turn
 * into a wrong answer. Never `unknown_key` (a key appears after rotation), nor anything
 * time-dependent (`expired`, `not_yet_valid`).
 */
const NEGATIVE_REASONS: ReadonlySet<FailureReason> = new Set(['invalid_signature', 'malformed']);

interface Entry {
  /** The whole token: a hit needs it equal, since the key is only its end (see cacheKey). */
  readonly token: string;
  /** The verifier's own answer, returned as-is on a hit (no allocation per call). */
  readonly result: AuthResult<Principal> & { ok: true };
  /** Epoch ms from which the entry is dead: the token's `exp`, never later. */
  readonly expiresAtMs: number;
}

/**
 * What the caches are keyed by: the token's last characters, part of its signature. Looking up a
 * fresh 800-character header string hashes all of it (~1.6 µs per call, measured); this key costs
 * ~0.1 µs. A hit still needs the whole token equal, so two tokens that share an end only cost
 * each other a miss, never an answer. (That equality test is not constant-time. Reaching it takes
 * a cached token's last 24 signature characters and its length, ~142 bits that only a holder of
 * the token has; the few nanoseconds its early exit differs by are far below network jitter.)
 */
const KEY_CHARS = 24;
const cacheKey = (token: string) => token.slice(-KEY_CHARS);

/**
 * Wraps `verify` with a bounded LRU keyed by the token (see cacheKey). Only successful
 * verifications are kept, each until the token's `exp` at the latest: the verifier
 * itself accepts up to `exp + clock skew`, so the cache always stops first. A revocation
 * check composed around `verify` still runs on every hit.
 */
export function cachedVerifier(verify: TokenVerifier, opts: TokenCacheOptions): TokenCache {
  const now = opts.now ?? Date.now;
  let hits = 0;
  let misses = 0;
  let negativeHits = 0;

  if (opts.maxEntries === 0) {
    return {
      verify,
      forgetSession: () => {},
      clear: () => {},
      stats: () => ({ hits, misses, negativeHits, size: 0 }),
    };
  }

  // sid → cache keys, so forgetSession touches only that session's entries.
  const bySession = new Map<string, Set<string>>();
  const unindex = (key: string, entry: Entry) => {
    const sid = entry.result.value.sessionId;
    if (sid === undefined) return;
    const keys = bySession.get(sid);
    keys?.delete(key);
    if (keys?.size === 0) bySession.delete(sid);
  };
  // dispose runs on every removal (eviction, delete, overwrite), so the index never outlives an entry.
  const verified = new LRUCache<string, Entry>({ max: opts.maxEntries, dispose: (entry, key) => unindex(key, entry) });

  const maxNegative = opts.maxNegativeEntries ?? 1000;
  const negativeTtlMs = opts.negativeTtlMs ?? 5000;
  const refused =
    maxNegative > 0 ? new LRUCache<string, { token: string; result: AuthResult<Principal>; until: number }>({ max: maxNegative }) : undefined;

  const remember = (key: string, token: string, result: AuthResult<Principal>) => {
    if (result.ok) {
      const expiresAtMs = result.value.expiresAt * 1000;
      if (expiresAtMs <= now()) return;
      verified.set(key, { token, result, expiresAtMs });
      const sid = result.value.sessionId;
      if (sid !== undefined) {
        const keys = bySession.get(sid);
        if (keys) keys.add(key);
        else bySession.set(sid, new Set([key]));
      }
    } else if (refused && NEGATIVE_REASONS.has(result.failure.reason)) {
      refused.set(key, { token, result, until: now() + negativeTtlMs });
    }
  };

  const cached: TokenVerifier = (token) => {
    const key = cacheKey(token);
    const entry = verified.get(key);
    if (entry?.token === token) {
      if (now() < entry.expiresAtMs) {
        hits++;
        return entry.result;
      }
      verified.delete(key);
    } else if (refused) {
      const no = refused.get(key);
      if (no?.token === token) {
        if (now() < no.until) {
          negativeHits++;
          return no.result;
        }
        refused.delete(key);
      }
    }
    misses++;
    const result = verify(token);
    remember(key, token, result);
    return result;
  };

  return {
    verify: cached,
    forgetSession(sessionId) {
      const keys = bySession.get(sessionId);
      if (!keys) return;
      // Copy: each delete's dispose edits the set being walked.
      for (const key of [...keys]) verified.delete(key);
      bySession.delete(sessionId);
    },
    clear() {
      verified.clear();
      refused?.clear();
      bySession.clear();
    },
    stats: () => ({ hits, misses, negativeHits, size: verified.size }),
  };
}
