/**
 * Per-owner storage quota and write rate, decided here and applied by both stores inside
 * the write's own transaction (SQLite: the one writer; PostgreSQL: the owner's row locked),
 * so the rule holds across every worker and replica. Pure, so unit-testable.
 */

export interface WriteQuota {
  /** Bytes one owner's notes and retained change-log entries may take, as counted by `rowBytes`. */
  readonly maxBytes: number;
  /** Sustained writes (creates and updates) per second of one owner... */
  readonly writesPerSecond: number;
  /** ...and how many may come at once after a quiet spell. */
  readonly writeBurst: number;
  /** Longest a change stays counted after it is written: the retention plus the purge interval. */
  readonly changesKeptMs: number;
}

/** The service's defaults (business-svc/config.ts reads them from the environment). */
export const DEFAULT_QUOTA_LIMITS = { maxBytes: 64 * 1024 * 1024, writesPerSecond: 10, writeBurst: 50 } as const;

/** What a store opened without a quota of its own applies (tests, set-up): the defaults, with the default retention. */
export const DEFAULT_WRITE_QUOTA: WriteQuota = { ...DEFAULT_QUOTA_LIMITS, changesKeptMs: 3600_000 + 60_000 };

/**
 * What a row costs besides its text, measured on both stores (row header, ids, timestamps,
 * index entries, page slack); rounding up keeps the accounted bytes above the disk used.
 */
export const ROW_OVERHEAD_BYTES = 256;

/** The accounted size of one notes or note_changes row. */
export function rowBytes(ownerId: string, titleBytes: number, bodyBytes: number): number {
  return ROW_OVERHEAD_BYTES + Buffer.byteLength(ownerId) + titleBytes + bodyBytes;
}

/** One owner's row of bookkeeping (note_counts). */
export interface OwnerUsage {
  readonly notes: number;
  readonly bytes: number;
  /** Write-rate state (GCRA): when, in epoch ms, the owner's next write would be "on schedule". */
  readonly writeTat: number;
}

/** What a write adds: notes (+1 create), bytes (may be negative), whether it counts against the rate. */
export interface WriteCost {
  readonly notes: number;
  readonly bytes: number;
  /** For a create: the owner's cap on notes. */
  readonly maxNotes?: number;
}

export type Judgement =
  | { readonly ok: true; readonly usage: OwnerUsage }
  | { readonly ok: false; readonly limit: 'notes' | 'bytes' }
  | { readonly ok: false; readonly limit: 'rate'; readonly retryAfterMs: number };

/**
 * Admits a create or update (deletes are never refused: they cannot grow storage, and there
 * are no more of them than creates) or says which limit refuses it. The rate is a generic
 * cell rate algorithm: one timestamp per owner, `writeBurst` at once, then `writesPerSecond`.
 * A write that shrinks storage is not refused for bytes, even over the quota.
 */
export function judgeWrite(usage: OwnerUsage, cost: WriteCost, quota: WriteQuota, now: number): Judgement {
  if (cost.maxNotes !== undefined && cost.notes > 0 && usage.notes + cost.notes > cost.maxNotes) return { ok: false, limit: 'notes' };
  if (cost.bytes > 0 && usage.bytes + cost.bytes > quota.maxBytes) return { ok: false, limit: 'bytes' };
  const interval = 1000 / quota.writesPerSecond;
  const tolerance = interval * (quota.writeBurst - 1);
  const scheduled = Math.max(usage.writeTat, now);
  if (scheduled - now > tolerance) return { ok: false, limit: 'rate', retryAfterMs: scheduled - tolerance - now };
  return { ok: true, usage: { notes: usage.notes + cost.notes, bytes: usage.bytes + cost.bytes, writeTat: scheduled + interval } };
}

/**
 * When room may appear for an owner over its byte quota: once its oldest retained change is
 * purged. With none retained, its notes alone fill the quota, and a note deleted now frees
 * its room when the deletion's own change is purged.
 */
export function bytesRetryAfterMs(oldestChangeAt: number | undefined, quota: WriteQuota, now: number): number {
  return Math.max(0, (oldestChangeAt ?? now) + quota.changesKeptMs - now);
}

/** Over a quota: what the store tells its caller. */
export interface QuotaRefusal {
  readonly kind: 'over_quota';
  readonly limit: 'bytes' | 'rate';
  readonly retryAfterMs: number;
}

/** A note's accounted bytes after an update that sets `title` and/or `body` (the others stay as they were). */
export function updatedBytes(ownerId: string, before: { readonly titleBytes: number; readonly bodyBytes: number }, changes: { readonly title?: string | undefined; readonly body?: string | undefined }): number {
  const titleBytes = changes.title === undefined ? before.titleBytes : Buffer.byteLength(changes.title);
  const bodyBytes = changes.body === undefined ? before.bodyBytes : Buffer.byteLength(changes.body);
  return rowBytes(ownerId, titleBytes, bodyBytes);
}
