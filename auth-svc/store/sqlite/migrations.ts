import type { Migration } from '../../../lib/sqlite/database.js';
import { emailRekeyMigration } from '../email-rekey.js';
import { CLIENT_AUDIENCES_MIGRATION } from '../client-audiences-column.js';
import { REFRESH_SUCCESSORS_MIGRATION } from '../successor-columns.js';

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
  {
    version: 3,
    name: 'sessions, refresh tokens, revocations, service clients',
    sql: `
      -- One row per login. Refresh tokens rotate inside it; revoking it ends them all.
      CREATE TABLE sessions (
        id            TEXT PRIMARY KEY,
        user_id       TEXT NOT NULL REFERENCES users (id) ON DELETE CASCADE,
        created_at    INTEGER NOT NULL,
        expires_at    INTEGER NOT NULL, -- end of the newest refresh token's lifetime
        revoked_at    INTEGER,
        revoke_reason TEXT
      ) STRICT;
      CREATE INDEX sessions_by_user ON sessions (user_id);

      -- Only hashes: a copy of this table cannot be replayed. Used tokens stay (used_at set)
      -- until the session ends, so presenting one again is recognised as theft.
      CREATE TABLE refresh_tokens (
        token_hash TEXT PRIMARY KEY, -- SHA-256 of the opaque token (256 random bits)
        session_id TEXT NOT NULL REFERENCES sessions (id) ON DELETE CASCADE,
        created_at INTEGER NOT NULL,
        expires_at INTEGER NOT NULL,
        used_at    INTEGER
      ) STRICT;
      CREATE INDEX refresh_tokens_by_session ON refresh_tokens (session_id);

      -- What verifiers must refuse, pushed by RevocationService. Kept until every access
      -- token of the session has expired anyway (forget_after). Other processes (admin
      -- commands, other replicas) add rows too; auth-svc polls for rows after its last seq.
      CREATE TABLE revocations (
        seq          INTEGER PRIMARY KEY AUTOINCREMENT, -- never reused: pollers resume after the last seen
        session_id   TEXT NOT NULL UNIQUE,
        revoked_at   INTEGER NOT NULL,
        forget_after INTEGER NOT NULL
      ) STRICT;

      -- Services that obtain tokens by client credentials. Secrets are stored hashed.
      CREATE TABLE service_clients (
        id          TEXT PRIMARY KEY,      -- the client id (also the tokens' sub)
        name        TEXT NOT NULL UNIQUE,
        secret_hash TEXT NOT NULL,         -- SHA-256 of the secret (256 random bits)
        scopes      TEXT NOT NULL,         -- space-separated
        session_id  TEXT NOT NULL UNIQUE,  -- sid of every token it gets: revoking the client revokes them
        created_at  INTEGER NOT NULL,
        revoked_at  INTEGER
      ) STRICT;
    `,
  },
  REFRESH_SUCCESSORS_MIGRATION,
  {
    version: 5,
    name: 'emails keyed by their canonical form (NFKC, case-folded)',
    sql: '',
    rewrite: emailRekeyMigration('UPDATE users SET email_normalized = ? WHERE id = ?'),
  },
  {
    version: 6,
    name: 'throttle states shared by every worker',
    sql: `
      -- Login, Register and client-secret throttles (auth-svc/store/throttle-store.ts): every
      -- worker reads and writes them in one write transaction, so the limits hold for all of them.
      CREATE TABLE throttle_state (
        key        TEXT PRIMARY KEY, -- kind and subject, e.g. "login-address:192.0.2.1"
        value      TEXT NOT NULL,    -- JSON
        expires_at INTEGER NOT NULL  -- epoch ms; forgotten from then on, purged later
      ) STRICT, WITHOUT ROWID;
      CREATE INDEX throttle_state_expiry ON throttle_state (expires_at);
    `,
  },
  CLIENT_AUDIENCES_MIGRATION,
];
