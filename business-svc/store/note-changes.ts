import { coalesced } from '../../lib/async/coalesced-run.js';
import { followChanges, type ChangeFeed } from '../../lib/changes/change-feed.js';
import { addToKeyedSet } from '../../lib/collections/keyed-sets.js';
import type { ChangeLog, NoteChange, NoteChannel } from './note-store.js';

export type ChangeListener = (change: NoteChange) => void;

/** Changes read from the log at a time. */
const BATCH = 200;

/** What a resumed watcher may replay at once, so a replay is bounded in memory. */
export interface ReplayLimits {
  readonly maxChanges: number;
  readonly maxBytes: number;
}

export type ResumeOutcome =
  | { readonly kind: 'resumed'; readonly start: (listener: ChangeListener) => () => void; readonly cancel: () => void }
  /** Changes after that position were purged already. */
  | { readonly kind: 'too_old' }
  /** More to replay than the limits allow. */
  | { readonly kind: 'too_far_behind' }
  /** Beyond the end of the log: no position this log handed out. */
  | { readonly kind: 'unknown_position' };

/**
 * One process's open watchers, fed from the change log: whichever worker or replica wrote
 * a change, every watcher of its owner gets it once, in log (= commit) order. The log is
 * read after `position` whenever the feed signals an append (this process's writes at
 * once, others' by NOTIFY or the cluster primary) and every `pollMs` in any case, one read
 * at a time; each watcher skips what it has seen, so a replay and live changes never overlap.
 */
export class NoteWatchers {
  private readonly byOwner = new Map<string, Set<Watcher>>();
  private readonly readNew = coalesced(() => this.deliverNew());
  private unfollow: (() => void) | undefined;

  private constructor(
    private readonly log: ChangeLog,
    private readonly onError: (err: Error) => void,
    /** Every change up to here has been offered to the watchers. */
    private position: number,
  ) {}

  /** Starts after the last change already in the log. `onError` hears failed reads (retried). */
  static async open(log: ChangeLog, feed: ChangeFeed<NoteChannel> | undefined, pollMs: number, onError: (err: Error) => void): Promise<NoteWatchers> {
    const watchers = new NoteWatchers(log, onError, (await log.read(0, 0)).position);
    watchers.unfollow = followChanges(feed, 'note_changes', pollMs, watchers.readNew, onError);
    return watchers;
  }

  /** The log position this process has delivered up to: a watcher resuming from it misses nothing that came later. */
  get delivered(): number {
    return this.position;
  }

  /** Changes of `ownerId` from now on (after the last one read). Synchronous, so a stream can attach at once. */
  watch(ownerId: string, listener: ChangeListener): () => void {
    const watcher = new Watcher(this.position);
    watcher.go(listener);
    return this.add(ownerId, watcher);
  }

  /**
   * Changes of `ownerId` after `after`: those already in the log are read now (bounded by
   * `limits`) and replayed by `start`, then live changes follow without a gap or a repeat.
   * Live changes arriving meanwhile are held (within the same limits). Call `start` or
   * `cancel` on the outcome.
   */
  async resume(ownerId: string, after: number, limits: ReplayLimits): Promise<ResumeOutcome> {
    // Registered first: everything this process reads from now on is held for it.
    const watcher = new Watcher(after, limits);
    const remove = this.add(ownerId, watcher);
    let replay;
    try {
      replay = await this.log.read(after, limits.maxChanges + 1, ownerId);
    } catch (err) {
      remove();
      throw err;
    }
    const refuse = (kind: 'too_old' | 'too_far_behind' | 'unknown_position') => (remove(), { kind });
    if (after < replay.purgedThrough) return refuse('too_old');
    if (after > replay.position) return refuse('unknown_position');
    if (replay.changes.length > limits.maxChanges || bytesOf(replay.changes) > limits.maxBytes || watcher.overflowed) return refuse('too_far_behind');
    return {
      kind: 'resumed',
      start: (listener) => {
        for (const change of replay.changes) watcher.offer(change, listener);
        // The replay read everything up to its position; the held changes after it follow.
        watcher.skipTo(replay.position);
        watcher.go(listener);
        return remove;
      },
      cancel: remove,
    };
  }

  stop(): void {
    this.unfollow?.();
  }

  private add(ownerId: string, watcher: Watcher): () => void {
    return addToKeyedSet(this.byOwner, ownerId, watcher);
  }

  private async deliverNew(): Promise<void> {
    for (;;) {
      const batch = await this.log.read(this.position, BATCH);
      if (batch.purgedThrough > this.position) {
        // Only after an outage longer than the retention period: say so, loudly.
        this.onError(new Error(`note changes ${this.position + 1}..${batch.purgedThrough} were purged before this process read them; watchers missed them`));
      }
      for (const change of batch.changes) {
        for (const watcher of this.byOwner.get(change.note.ownerId) ?? []) watcher.receive(change);
      }
      this.position = batch.position;
      if (batch.changes.length < BATCH) return;
    }
  }
}

/** One stream's place in the log; until it goes live, what it receives is held. */
class Watcher {
  private listener: ChangeListener | undefined;
  private held: NoteChange[] = [];
  private heldBytes = 0;
  overflowed = false;

  constructor(
    /** Every change up to here was delivered (or will be replayed). */
    private after: number,
    private readonly holdLimits: ReplayLimits = { maxChanges: 0, maxBytes: 0 },
  ) {}

  receive(change: NoteChange): void {
    if (this.listener) return this.offer(change, this.listener);
    if (this.overflowed) return;
    this.held.push(change);
    this.heldBytes += bytesOf([change]);
    if (this.held.length > this.holdLimits.maxChanges || this.heldBytes > this.holdLimits.maxBytes) {
      this.overflowed = true;
      this.held = [];
    }
  }

  offer(change: NoteChange, listener: ChangeListener): void {
    if (change.seq <= this.after) return;
    this.after = change.seq;
    listener(change);
  }

  skipTo(position: number): void {
    this.after = Math.max(this.after, position);
  }

  go(listener: ChangeListener): void {
    for (const change of this.held) this.offer(change, listener);
    this.held = [];
    this.listener = listener;
  }
}

/** Roughly what the changes weigh on the wire (the note's text dominates). */
function bytesOf(changes: readonly NoteChange[]): number {
  let bytes = 0;
  for (const c of changes) bytes += 100 + Buffer.byteLength(c.note.title) + Buffer.byteLength(c.note.body);
  return bytes;
}
