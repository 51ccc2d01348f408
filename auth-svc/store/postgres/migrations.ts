import type { Migration } from '../../../lib/sqlite/database.js';
import { emailRekeyMigration } from '../email-rekey.js';
import { CLIENT_AUDIENCES_MIGRATION } from '../client-audiences-column.js';
import { REFRESH_SUCCESSORS_MIGRATION } from '../successor-columns.js';

/**
 * The same tables and columns as the SQLite schema (auth-svc/store/sqlite/migrations.ts),
 * with epoch-ms BIGINTs, plus triggers that NOTIFY listeners in every replica whenever a
 * revocation or a signing key is written, by whichever process.
 */
export const PG_AUTH_MIGRATIONS: readonly Migration[] = [
  {
    version: 1,
    name: 'users',
    sql: `
      CREATE TABLE users (
        id               TEXT PRIMARY KEY,
        email            TEXT NOT NULL,
        email_normalized TEXT NOT NULL UNIQUE, -- lower-cased, NFC: Alice@x and alice@x are one account
        password_hash    TEXT NOT NULL,
        display_name     TEXT NOT NULL,
        roles            TEXT NOT NULL DEFAULT '["user"]', -- JSON array of strings
        disabled         BOOLEAN NOT NULL DEFAULT FALSE,
        created_at       BIGINT NOT NULL, -- epoch ms
        updated_at       BIGINT NOT NULL
      );
    `,
  },
  {
    version: 2,
    name: 'signing keys',
    sql: `
      CREATE TABLE signing_keys (
        kid         TEXT PRIMARY KEY,
        alg         TEXT NOT NULL,
        private_pem TEXT NOT NULL,
        created_at  BIGINT NOT NULL,
        active_from BIGINT NOT NULL,
        retired_at  BIGINT
      );
      CREATE FUNCTION notify_keys_changed() RETURNS trigger LANGUAGE plpgsql AS $$
        BEGIN PERFORM pg_notify('keys_changed', ''); RETURN NULL; END
      $$;
      CREATE TRIGGER signing_keys_changed AFTER INSERT OR UPDATE OR DELETE ON signing_keys
        FOR EACH STATEMENT EXECUTE FUNCTION notify_keys_changed();
    `,
  },
  {
    version: 3,
    name: 'sessions, refresh tokens, revocations, service clients',
    sql: `
      CREATE TABLE sessions (
        id            TEXT PRIMARY KEY,
        user_id       TEXT NOT NULL REFERENCES users (id) ON DELETE CASCADE,
        created_at    BIGINT NOT NULL,
        expires_at    BIGINT NOT NULL,
        revoked_at    BIGINT,
        revoke_reason TEXT
      );
      CREATE INDEX sessions_by_user ON sessions (user_id);

      CREATE TABLE refresh_tokens (
        token_hash TEXT PRIMARY KEY,
        session_id TEXT NOT NULL REFERENCES sessions (id) ON DELETE CASCADE,
        created_at BIGINT NOT NULL,
        expires_at BIGINT NOT NULL,
        used_at    BIGINT
      );
      CREATE INDEX refresh_tokens_by_session ON refresh_tokens (session_id);

      -- Writers lock the table while inserting (see PgRevocationStore), so seqs commit in order.
      CREATE TABLE revocations (
        seq          BIGSERIAL PRIMARY KEY,
        session_id   TEXT NOT NULL UNIQUE,
        revoked_at   BIGINT NOT NULL,
        forget_after BIGINT NOT NULL
      );
      CREATE FUNCTION notify_revocations() RETURNS trigger LANGUAGE plpgsql AS $$
        BEGIN PERFORM pg_notify('revocations', ''); RETURN NULL; END
      $$;
      CREATE TRIGGER revocations_added AFTER INSERT ON revocations
        FOR EACH STATEMENT EXECUTE FUNCTION notify_revocations();

      CREATE TABLE service_clients (
        id          TEXT PRIMARY KEY,
        name        TEXT NOT NULL UNIQUE,
        secret_hash TEXT NOT NULL,
        scopes      TEXT NOT NULL, -- space-separated
        session_id  TEXT NOT NULL UNIQUE,
        created_at  BIGINT NOT NULL,
        revoked_at  BIGINT
      );
    `,
  },
  REFRESH_SUCCESSORS_MIGRATION,
  {
    version: 5,
    name: 'emails keyed by their canonical form (NFKC, case-folded)',
    sql: '',
    rewrite: emailRekeyMigration('UPDATE users SET email_normalized = $1 WHERE id = $2'),
  },
  {
    version: 6,
    name: 'throttle states shared by every replica',
    sql: `
      -- value NULL: a row a decision inserted only to lock it (see PgThrottleStore), read as absent.
      CREATE TABLE throttle_state (
        key        TEXT PRIMARY KEY,
        value      TEXT,
        expires_at BIGINT NOT NULL
      );
      CREATE INDEX throttle_state_expiry ON throttle_state (expires_at);
    `,
  },
  CLIENT_AUDIENCES_MIGRATION,
];
