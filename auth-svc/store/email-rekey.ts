import type { MigrationFinding, RowRewrite } from '../../lib/sqlite/database.js';
import { hasInvisibleCharacters, withoutInvisibleCharacters } from '../../lib/text/text-rules.js';
import { canonicalEmail } from '../users/email-address.js';

/** The lookup key of an account kept apart from an older one whose email became the same. */
export const COLLISION_KEY_PREFIX = 'collision:';

interface Row {
  readonly id: string;
  readonly email: string;
  readonly key: string;
  readonly createdAt: number;
}

/**
 * Migration 5 of both backends (same tables; `update` takes the new key, then the id): every
 * account's lookup key (`email_normalized`, formerly NFC and lower case) recomputed as
 * canonicalEmail(email), which folds fullwidth letters, ligatures and more (see
 * email-address.ts). Invisible characters, refused in new emails, are dropped from stored
 * ones so their accounts stay reachable by the visible address.
 *
 * Accounts are never merged. When several emails now have the same key, the oldest account
 * (by creation time) keeps it, since a look-alike is the later copy of an address; each other
 * one is keyed `collision:<its id>`, which no email can be (no `@`): it keeps its id, sessions,
 * password and data, and signs in with that key as its email until an operator sorts it out.
 * Every collision and every stripped email is reported (ids only, never the addresses).
 */
export function emailRekeyMigration(update: string): RowRewrite {
  return {
    select: 'SELECT id, email, email_normalized, created_at FROM users',
    update,
    plan: (rows) => planRekey(rows.map((r) => ({ id: String(r.id), email: String(r.email), key: String(r.email_normalized), createdAt: Number(r.created_at) }))),
  };
}

export function planRekey(rows: readonly Row[]): { updates: unknown[][]; findings: MigrationFinding[] } {
  const byKey = new Map<string, Row[]>();
  for (const row of rows) {
    const key = canonicalEmail(withoutInvisibleCharacters(row.email));
    byKey.set(key, [...(byKey.get(key) ?? []), row]);
  }
  const target = new Map<string, string>();
  const findings: MigrationFinding[] = [];
  for (const [key, group] of byKey) {
    const [kept, ...apart] = [...group].sort((a, b) => a.createdAt - b.createdAt || (a.id < b.id ? -1 : 1));
    target.set(kept!.id, key);
    for (const row of apart) target.set(row.id, `${COLLISION_KEY_PREFIX}${row.id}`);
    if (apart.length > 0) {
      findings.push({
        message: `accounts whose emails are now one address were kept apart: the oldest keeps the address, the others sign in with "${COLLISION_KEY_PREFIX}<their id>" as their email`,
        fields: { event: 'email_collision', kept: kept!.id, apart: apart.map((r) => r.id) },
      });
    }
    if (hasInvisibleCharacters(kept!.email)) {
      findings.push({ message: 'a stored email held invisible characters: it is now matched without them', fields: { event: 'email_invisible_characters', user: kept!.id } });
    }
  }
  const changed = rows.filter((r) => target.get(r.id) !== r.key);
  // Two passes: a key may move to a row whose old key another row still holds (keys are unique).
  const updates = [...changed.map((r) => [`rekeying:${r.id}`, r.id]), ...changed.map((r) => [target.get(r.id)!, r.id])];
  return { updates, findings };
}
