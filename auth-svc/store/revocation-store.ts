import type { RevokedSessionEntry } from '@grpc-token-auth/server-kit';

/**
 * Revoked sessions that verifiers must still refuse. Every row gets a `seq` that grows in
 * commit order and is never reused, so a reader that resumes after the last seq it saw
 * misses nothing, whichever process wrote the row.
 */
export interface RevocationStore {
  /** Revoking twice keeps the first row (and its seq): it was published already. */
  add(entry: RevokedSessionEntry, now: number): Promise<void>;
  /** Every revocation still relevant at `now`: the snapshot a (re)connecting verifier gets. */
  active(now: number): Promise<RevokedSessionEntry[]>;
  /** Revocations recorded after `seq` (by any process), oldest first, with the last seq seen. */
  since(seq: number): Promise<{ entries: RevokedSessionEntry[]; lastSeq: number }>;
  lastSeq(): Promise<number>;
  purgeForgotten(now: number): Promise<number>;
}
