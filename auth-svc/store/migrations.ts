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
  {
    version: 2,
    name: 'signing keys',
    sql: `
      -- Private keys never leave this database (file mode 0600). A key is published
      -- from created_at, signs from active_from, stops signing when the next key becomes
      -- active (retired_at), and is deleted once every token it signed has expired.
      CREATE TABLE signing_keys (
        kid         TEXT PRIMARY KEY,
        alg         TEXT NOT NULL,
        private_pem TEXT NOT NULL, -- the public key is derived from it
        created_at  INTEGER NOT NULL,
        active_from INTEGER NOT NULL,
        retired_at  INTEGER
      ) STRICT;
    `,
  },
];
