/**
 * Migration 4, the same in both backends: a rotated token remembers its successor, and for the
 * reuse grace window that successor sealed under a key derived from the rotated token itself
 * (which is never stored), so a Refresh retried after a lost answer gets the same successor back
 * while a copy of the database alone opens nothing. The sealed value is cleared once the window
 * has passed.
 */
export const REFRESH_SUCCESSORS_MIGRATION = {
  version: 4,
  name: 'refresh-token successors (reuse grace window)',
  sql: `
    ALTER TABLE refresh_tokens ADD COLUMN successor_hash TEXT;
    ALTER TABLE refresh_tokens ADD COLUMN successor_sealed TEXT;
    CREATE INDEX refresh_tokens_sealed ON refresh_tokens (used_at) WHERE successor_sealed IS NOT NULL;
  `,
} as const;
