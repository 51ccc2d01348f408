import type { ChangeFeed } from '../../lib/changes/change-feed.js';
import type { QuotaRefusal } from './write-quota.js';

export interface Note {
  readonly id: string;
  readonly ownerId: string;
  readonly title: string;
  readonly body: string;
  readonly createdAt: number;
  readonly updatedAt: number;
  readonly version: number;
}

export interface OwnerNoteCount {
  readonly ownerId: string;
  readonly count: number;
}

export interface NotePage {
  readonly notes: readonly Note[];
  /** Position after the last note, or undefined when there is no more. */
  readonly next: PageCursor | undefined;
}

/** Keyset position: notes inserted before `seq` (timestamps can tie; the sequence cannot). */
export interface PageCursor {
  readonly seq: number;
}

/** Why a write was not made: the owner has its most notes already, or is over its quota. */
export type WriteRefusal = { kind: 'limit_reached' } | QuotaRefusal;
export type CreateOutcome = { kind: 'created'; note: Note } | WriteRefusal;
export type UpdateOutcome = { kind: 'updated'; note: Note } | { kind: 'not_found' } | { kind: 'version_mismatch'; current: number } | QuotaRefusal;

export type ChangeKind = 'created' | 'updated' | 'deleted';

/** One committed change: its place in the change log and the note as it was right after it. */
export interface NoteChange {
  readonly seq: number;
  readonly kind: ChangeKind;
  /** For `deleted`: as it was before deletion. */
  readonly note: Note;
}

export interface ChangeBatch {
  /** Oldest first. */
  readonly changes: readonly NoteChange[];
  /** Every change up to here has been read: the next read starts after it. */
  readonly position: number;
  /** Changes up to here were purged: a reader that was behind it has missed some. */
  readonly purgedThrough: number;
}

/**
 * Every note change, numbered by `seq` in commit order whichever process wrote it (writers
 * take turns appending, so a reader never sees seq n+1 before n), kept for a retention
 * period. Readers that resume after the last seq they saw miss nothing and see nothing twice.
 */
export interface ChangeLog {
  /** This log's identity: positions in another log (a database replaced) mean nothing here. */
  readonly id: string;
  /** Changes after `after`, at most `limit`, of every owner or only of `ownerId`. */
  read(after: number, limit: number, ownerId?: string): Promise<ChangeBatch>;
  /** Deletes the changes recorded before `before` (epoch ms), giving their bytes back to their owners; resolves with how many. */
  purge(before: number): Promise<number>;
}

export type NoteChannel = 'note_changes';

/**
 * All state about notes, behind one backend (SQLite file or PostgreSQL). Every method takes
 * the owner and every statement filters by it, so one user's id can never reach another
 * user's note. Each write and its change-log entry commit together, with the owner's
 * bookkeeping (notes, accounted bytes of notes and retained changes, write rate: see
 * write-quota.ts), so every quota holds across replicas.
 */
export interface NoteStore {
  readonly backend: 'sqlite' | 'postgres';
  /** Refuses when the owner has `maxNotes` already (limit_reached) or is over its quota, atomically across replicas. */
  create(ownerId: string, title: string, body: string, maxNotes: number, now?: number): Promise<CreateOutcome>;
  /** GetNote's read. */
  get(ownerId: string, id: string): Promise<Note | undefined>;
  list(ownerId: string, pageSize: number, after: PageCursor | undefined): Promise<NotePage>;
  /** Partial update; with `expectedVersion`, only if the note is still at that version. Refused over the owner's quota. */
  patch(ownerId: string, id: string, changes: { title?: string; body?: string; expectedVersion?: number }, now?: number): Promise<UpdateOutcome>;
  /** Never refused for quota: the deletion's change-log entry takes the note's place in the owner's bytes. */
  delete(ownerId: string, id: string, now?: number): Promise<Note | undefined>;
  /**
   * Admin figures across owners: how many notes each has (never what they say), owners after
   * `afterOwner` in id order, at most `limit`. Read from the per-owner count rows.
   */
  countsByOwner(afterOwner: string | undefined, limit: number): Promise<OwnerNoteCount[]>;
  readonly changes: ChangeLog;
  /** Signals appends to the change log by any process (this one at once, others as pushed). */
  readonly feed: ChangeFeed<NoteChannel>;
  close(): Promise<void>;
}
