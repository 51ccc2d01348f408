import type { Db } from '../../../lib/sqlite/database.js';
import { lockOrder, ThrottleSnapshot, type ThrottleRows, type ThrottleStore } from '../throttle-store.js';

/**
 * Throttle states in the SQLite file that every worker of one host opens. Each decision is one
 * BEGIN IMMEDIATE transaction: it takes the file's write lock before reading, so a worker deciding
 * meanwhile waits (busy_timeout) and then sees this one's result. better-sqlite3 runs it
 * synchronously: nothing else of this process runs in between either.
 */
export class SqliteThrottleStore implements ThrottleStore {
  private readonly select;
  private readonly upsert;
  private readonly remove;
  private readonly purge;
  private readonly decideAtomically;

  constructor(db: Db) {
    this.select = db.prepare<[string, number], { value: string }>('SELECT value FROM throttle_state WHERE key = ? AND expires_at > ?');
    this.upsert = db.prepare(
      'INSERT INTO throttle_state (key, value, expires_at) VALUES (?, ?, ?) ON CONFLICT (key) DO UPDATE SET value = excluded.value, expires_at = excluded.expires_at',
    );
    this.remove = db.prepare('DELETE FROM throttle_state WHERE key = ?');
    this.purge = db.prepare('DELETE FROM throttle_state WHERE expires_at <= ?');
    this.decideAtomically = db.transaction((keys: string[], now: number, decide: (rows: ThrottleRows) => unknown) => {
      const stored = new Map<string, string>();
      for (const key of keys) {
        const row = this.select.get(key, now);
        if (row) stored.set(key, row.value);
      }
      const snapshot = new ThrottleSnapshot(keys, stored);
      const result = decide(snapshot);
      for (const [key, write] of snapshot.writes) {
        if (write) this.upsert.run(key, write.value, write.expiresAt);
        else this.remove.run(key);
      }
      return result;
    });
  }

  async update<R>(keys: readonly string[], now: number, decide: (rows: ThrottleRows) => R): Promise<R> {
    return this.decideAtomically.immediate(lockOrder(keys), now, decide) as R;
  }

  async purgeExpired(now: number): Promise<number> {
    return this.purge.run(now).changes;
  }
}
