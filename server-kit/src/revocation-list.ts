import { unauthenticated } from './auth-failure.js';
import type { TokenVerifier } from './authenticate.js';

export interface RevokedSessionEntry {
  readonly sessionId: string;
  /** Epoch ms after which every token of the session has expired anyway. */
  readonly forgetAfter: number;
}

/**
 * Session ids whose tokens must be refused although their signatures are fine. Fed by
 * auth-svc's revocation stream (or, inside auth-svc, by its own revocations); each id is
 * forgotten once every token of its session has expired, so the set stays small.
 */
export class RevocationList {
  private bySession = new Map<string, number>();
  private readonly listeners: ((sessionId: string) => void)[] = [];

  constructor(private readonly now: () => number = Date.now) {}

  isRevoked(sessionId: string): boolean {
    const forgetAfter = this.bySession.get(sessionId);
    if (forgetAfter === undefined) return false;
    if (forgetAfter > this.now()) return true;
    this.bySession.delete(sessionId);
    return false;
  }

  /** A full snapshot: replaces what was known (after a reconnect). */
  replace(entries: readonly RevokedSessionEntry[]): void {
    const known = this.bySession;
    this.bySession = new Map();
    this.merge(entries, known);
  }

  add(entries: readonly RevokedSessionEntry[]): void {
    this.merge(entries, this.bySession);
  }

  private merge(entries: readonly RevokedSessionEntry[], known: ReadonlyMap<string, number>): void {
    const now = this.now();
    for (const [sid, forgetAfter] of this.bySession) if (forgetAfter <= now) this.bySession.delete(sid);
    for (const e of entries) {
      if (e.forgetAfter <= now) continue;
      const isNew = !known.has(e.sessionId);
      this.bySession.set(e.sessionId, Math.max(e.forgetAfter, known.get(e.sessionId) ?? 0));
      if (isNew) for (const listener of this.listeners) listener(e.sessionId);
    }
  }

  /** Called for every newly revoked session (e.g. to drop cached verifications). */
  onRevoked(listener: (sessionId: string) => void): void {
    this.listeners.push(listener);
  }

  get size(): number {
    return this.bySession.size;
  }
}

/** Refuses verified tokens whose session was revoked. Compose it after any cache. */
export function withRevocations(verify: TokenVerifier, revocations: RevocationList): TokenVerifier {
  return (token) => {
    const result = verify(token);
    if (result.ok && result.value.sessionId !== undefined && revocations.isRevoked(result.value.sessionId)) {
      return { ok: false, failure: unauthenticated('revoked', 'session has been revoked; sign in again') };
    }
    return result;
  };
}
