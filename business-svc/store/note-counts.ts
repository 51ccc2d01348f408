import type { Db } from '../../lib/sqlite/database.js';

export interface OwnerNoteCount {
  readonly ownerId: string;
  readonly count: number;
}

/**
 * Admin figures across owners: how many notes each has, never what they say. The only
 * query that reads more than one owner's rows, so it selects nothing but owner_id.
 */
export class NoteCounts {
  private readonly page;

  constructor(db: Db) {
    // notes_by_owner (owner_id, seq) serves both the grouping and the keyset.
    this.page = db.prepare<[string, number], { owner_id: string; n: number }>(
      'SELECT owner_id, count(*) AS n FROM notes WHERE owner_id > ? GROUP BY owner_id ORDER BY owner_id LIMIT ?',
    );
  }

  /** Owners after `afterOwner` in id order, at most `limit`. */
  byOwner(afterOwner: string | undefined, limit: number): OwnerNoteCount[] {
    return this.page.all(afterOwner ?? '', limit).map((r) => ({ ownerId: r.owner_id, count: r.n }));
  }
}
