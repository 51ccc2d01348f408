import { LRUCache } from 'lru-cache';
import type { CallOptions } from '@grpc/grpc-js';
import { onBehalfOf, type OnBehalfOf } from './on-behalf-of.js';
import type { Principal } from './principal.js';

/** What exchanges a token at auth-svc: the SDK's `ServiceCredentials` (its `exchange`). */
export interface TokenExchangeSource {
  exchange(subjectToken: string, audience: string): Promise<{ readonly accessToken: string; readonly expiresIn: number }>;
}

export interface TokenExchangerOptions {
  /** Exchanged tokens kept (per subject token and audience). Default 10000. */
  readonly maxEntries?: number | undefined;
  /** A cached token with less left than this is exchanged again, ms. Default 5000. */
  readonly minRemainingMs?: number | undefined;
  /** Clock in epoch ms (tests). */
  readonly now?: (() => number) | undefined;
}

/** Calls another service as the caller, with a token exchanged for it (see tokenExchanger). */
export type OnBehalfOfService = (ctx: { principal: Principal; call: NonNullable<CallOptions['parent']> }, audience: string) => Promise<OnBehalfOf>;

interface Entry {
  readonly token: Promise<string>;
  /** Epoch ms until which the token is handed out; Infinity while the exchange runs. */
  expiresAtMs: number;
}

/**
 * RFC 8693 for downstream calls: instead of forwarding the caller's token (good at this service
 * only), trade it at auth-svc for one addressed to `audience` that names this service as the
 * actor. Exchanged tokens are cached per (subject token, audience) until shortly before they
 * expire, and concurrent calls share one exchange; a failed exchange is not cached.
 *
 *   const exchanged = tokenExchanger(credentials);
 *   await notes.listNotes(req, await exchanged(ctx, 'business-svc'));
 */
export function tokenExchanger(source: TokenExchangeSource, opts: TokenExchangerOptions = {}): OnBehalfOfService {
  const now = opts.now ?? Date.now;
  const minRemainingMs = opts.minRemainingMs ?? 5000;
  const cache = new LRUCache<string, Entry>({ max: opts.maxEntries ?? 10_000 });
  const tokenFor = (subjectToken: string, audience: string): Promise<string> => {
    const key = `${audience} ${subjectToken}`;
    const cached = cache.get(key);
    if (cached && now() < cached.expiresAtMs - minRemainingMs) return cached.token;
    const entry: Entry = { token: Promise.resolve(''), expiresAtMs: Infinity };
    const exchanged = source.exchange(subjectToken, audience).then(
      (res) => {
        entry.expiresAtMs = now() + res.expiresIn * 1000;
        return res.accessToken;
      },
      (err: unknown) => {
        if (cache.get(key) === entry) cache.delete(key);
        throw err;
      },
    );
    Object.assign(entry, { token: exchanged });
    cache.set(key, entry);
    return exchanged;
  };
  return async (ctx, audience) => onBehalfOf(ctx, await tokenFor(ctx.principal.token, audience));
}
