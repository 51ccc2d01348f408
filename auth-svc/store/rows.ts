import type { RevokedSessionEntry } from '@grpc-token-auth/server-kit';
import type { StoredKey } from './key-store.js';
import type { ServiceClient } from './service-client-store.js';
import type { StoredRefreshToken, StoredSession } from './session-store.js';
import type { User } from './user-store.js';

/**
 * Rows as both backends return them (same tables and column names), and their mapping to
 * the store types: one place, so SQLite and PostgreSQL cannot drift apart.
 */
export interface UserRow {
  id: string;
  email: string;
  email_normalized: string;
  password_hash: string;
  display_name: string;
  roles: string; // JSON array
  disabled: number | boolean; // SQLite INTEGER 0/1, PostgreSQL BOOLEAN
  created_at: number;
  updated_at: number;
}

export interface KeyRow {
  kid: string;
  alg: string;
  private_pem: string;
  created_at: number;
  active_from: number;
  retired_at: number | null;
}

export interface SessionRow {
  id: string;
  user_id: string;
  created_at: number;
  expires_at: number;
  revoked_at: number | null;
}

export interface RefreshRow {
  token_hash: string;
  session_id: string;
  expires_at: number;
  used_at: number | null;
  successor_hash: string | null;
  successor_sealed: string | null;
}

export interface RevocationRow {
  session_id: string;
  forget_after: number;
}

export interface ClientRow {
  id: string;
  name: string;
  secret_hash: string;
  scopes: string; // space-separated
  audiences: string; // space-separated
  session_id: string;
  created_at: number;
  revoked_at: number | null;
}

export function toUser(r: UserRow): User {
  return {
    id: r.id,
    email: r.email,
    emailKey: r.email_normalized,
    passwordHash: r.password_hash,
    displayName: r.display_name,
    roles: JSON.parse(r.roles) as string[],
    disabled: Boolean(r.disabled),
    createdAt: r.created_at,
    updatedAt: r.updated_at,
  };
}

export function toKey(r: KeyRow): StoredKey {
  return { kid: r.kid, alg: r.alg, privatePem: r.private_pem, createdAt: r.created_at, activeFrom: r.active_from, retiredAt: r.retired_at };
}

export function toSession(r: SessionRow): StoredSession {
  return { id: r.id, userId: r.user_id, createdAt: r.created_at, expiresAt: r.expires_at, revokedAt: r.revoked_at };
}

export function toRefreshToken(r: RefreshRow): StoredRefreshToken {
  return {
    tokenHash: r.token_hash,
    sessionId: r.session_id,
    expiresAt: r.expires_at,
    usedAt: r.used_at,
    successorHash: r.successor_hash,
    sealedSuccessor: r.successor_sealed,
  };
}

export function toRevocation(r: RevocationRow): RevokedSessionEntry {
  return { sessionId: r.session_id, forgetAfter: r.forget_after };
}

export function toClient(r: ClientRow): ServiceClient {
  return {
    id: r.id,
    name: r.name,
    secretHash: r.secret_hash,
    scopes: r.scopes.split(' ').filter(Boolean),
    audiences: r.audiences.split(' ').filter(Boolean),
    sessionId: r.session_id,
    createdAt: r.created_at,
    revokedAt: r.revoked_at,
  };
}
