import type { Migration } from '../../lib/sqlite/database.js';

export const AUTH_MIGRATIONS: readonly Migration[] = [
  {
    version: 1,
    name: 'users',
    sql: `
      CREATE TABLE users (
        id               TEXT PRIMARY KEY,
        email            TEXT NOT NULL,
        -- lower-cased, NFC: the uniqueness key, so Alice@x and alice@x are one account
        email_normalized TEXT NOT NULL UNIQUE,
        password_hash    TEXT NOT NULL,
        display_name     TEXT NOT NULL,
        roles            TEXT NOT NULL DEFAULT '["user"]', -- JSON array of strings
        disabled         INTEGER NOT NULL DEFAULT 0,
        created_at       INTEGER NOT NULL,                 -- epoch ms
        updated_at       INTEGER NOT NULL
      ) STRICT;
    `,
  },
];
