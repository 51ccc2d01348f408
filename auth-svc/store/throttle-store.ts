/**
 * What the brute-force throttles (Login, Register, client secrets) keep, shared by every worker and
 * replica: small JSON states under string keys ("login-account:alice@x", "register-all", …), each
 * with the time after which it is forgotten. A decision reads the rows it needs and writes its new
 * states in one transaction that holds those rows (SQLite: BEGIN IMMEDIATE; PostgreSQL: row locks),
 * so two processes deciding about the same key take turns: N processes allow what one allows.
 */
export interface ThrottleStore {
  /**
   * Runs `decide` (synchronous and pure apart from `rows`) on the live states of `keys` at `now`,
   * then stores what it set or deleted, atomically; resolves with what `decide` returned. Keys it
   * did not name in `keys` cannot be touched.
   */
  update<R>(keys: readonly string[], now: number, decide: (rows: ThrottleRows) => R): Promise<R>;
  /** Deletes the rows forgotten by `now`; returns how many. */
  purgeExpired(now: number): Promise<number>;
}

/** The states one decision sees; values are plain JSON objects. */
export interface ThrottleRows {
  get<T extends object>(key: string): T | undefined;
  /** `expiresAt`: from then on the state is forgotten (read as absent, then purged). */
  set(key: string, value: object, expiresAt: number): void;
  delete(key: string): void;
}

/** A decision's changes: a state to keep until `expiresAt`, or null to delete the row. */
export type ThrottleWrite = { readonly value: string; readonly expiresAt: number } | null;

/**
 * The rows a decision read (parsed lazily) and what it changed, for the backends to write back.
 * Live means `expiresAt > now`; anything else reads as absent.
 */
export class ThrottleSnapshot implements ThrottleRows {
  readonly writes = new Map<string, ThrottleWrite>();
  private readonly allowed: ReadonlySet<string>;

  constructor(
    keys: readonly string[],
    private readonly stored: ReadonlyMap<string, string>,
  ) {
    this.allowed = new Set(keys);
  }

  get<T extends object>(key: string): T | undefined {
    this.require(key);
    if (this.writes.has(key)) {
      const written = this.writes.get(key);
      return written ? (JSON.parse(written.value) as T) : undefined;
    }
    const raw = this.stored.get(key);
    return raw === undefined ? undefined : (JSON.parse(raw) as T);
  }

  set(key: string, value: object, expiresAt: number): void {
    this.require(key);
    // Whole milliseconds: both backends keep them as integers.
    this.writes.set(key, { value: JSON.stringify(value), expiresAt: Math.ceil(expiresAt) });
  }

  delete(key: string): void {
    this.require(key);
    this.writes.set(key, null);
  }

  private require(key: string): void {
    if (!this.allowed.has(key)) throw new Error(`throttle decision touched ${key}, which it did not lock`);
  }
}

/** Distinct keys in one fixed order: transactions lock rows in that order, so they never deadlock. */
export function lockOrder(keys: readonly string[]): string[] {
  return [...new Set(keys)].sort();
}
