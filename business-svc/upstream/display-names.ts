import { propagate, type CallOptions } from '@grpc/grpc-js';
import { LRUCache } from 'lru-cache';
import type { UserDirectoryClient } from '@grpc-token-auth/sdk';
import { downstreamDeadline } from './deadlines.js';
import type { Logger } from '../../lib/log/logger.js';

export interface DisplayNamesOptions {
  /** Calls carry business-svc's own service token (users.read). */
  readonly client: UserDirectoryClient;
  /** Longest wait for auth-svc, whatever the caller's deadline. */
  readonly timeoutMs: number;
  readonly cacheTtlMs: number;
  readonly maxEntries: number;
  /** Capped (LOG_LINES_PER_SECOND): lookups follow dashboard calls, which clients drive. */
  readonly log: Logger;
}

/** Time kept back from the caller's deadline to answer degraded if auth-svc is slow. */
const RESERVE_MS = 50;

/** The incoming call a lookup is made for (grpc-js does not export its type by name). */
export type IncomingCall = NonNullable<CallOptions['parent']>;

/**
 * Display names from auth-svc's UserDirectory, cached briefly (names change rarely and
 * every dashboard call would otherwise cost a downstream round trip). A lookup never
 * outlives the caller: it gets the caller's remaining deadline minus a reserve, and is
 * cancelled with the caller. Any failure yields undefined and the caller answers degraded.
 * An outage is logged when it starts and when it ends (with how many lookups failed), not
 * once per failed lookup: while auth-svc is down every uncached dashboard call fails.
 */
export class DisplayNames {
  private readonly cache: LRUCache<string, string>;
  /** Lookups failed since the last success; 0 = working. */
  private failedInARow = 0;

  constructor(private readonly o: DisplayNamesOptions) {
    this.cache = new LRUCache({ max: o.maxEntries, ttl: Math.max(1, o.cacheTtlMs) });
  }

  /** A cached name, or auth-svc's answer. */
  async lookup(userId: string, caller: IncomingCall): Promise<string | undefined> {
    const cached = this.o.cacheTtlMs > 0 ? this.cache.get(userId) : undefined;
    return cached !== undefined ? cached : this.fetch(userId, caller);
  }

  private async fetch(userId: string, caller: IncomingCall): Promise<string | undefined> {
    const deadline = downstreamDeadline(caller.getDeadline(), Date.now(), this.o.timeoutMs, RESERVE_MS);
    if (deadline === undefined) return undefined;
    try {
      const res = await this.o.client.getUser({ userId }, {
        callOptions: { deadline, parent: caller, propagate_flags: propagate.CANCELLATION },
      });
      const name = res.user?.displayName;
      if (name !== undefined && this.o.cacheTtlMs > 0) this.cache.set(userId, name);
      if (this.failedInARow > 0) this.o.log.info({ failedLookups: this.failedInARow }, 'user directory lookups work again');
      this.failedInARow = 0;
      return name;
    } catch (err) {
      const e = err as { code?: number; details?: string };
      if (this.failedInARow++ === 0) this.o.log.warn({ code: e.code, details: e.details }, 'user directory lookups failing; answering degraded until they work again');
      return undefined;
    }
  }
}
