import { invalidArgument } from '../../lib/grpc/errors.js';
import type { PageCursor } from '../store/note-store.js';

/**
 * Opaque to clients: base64url of the keyset position. It only positions a query that
 * is already restricted to the caller's notes, so it grants nothing when tampered with.
 */
export function encodePageToken(cursor: PageCursor): string {
  return encodeOpaque([cursor.seq]);
}

export function decodePageToken(token: string): PageCursor | undefined {
  if (token === '') return undefined;
  const value = decodeOpaque(token);
  if (value?.length === 1 && isPosition(value[0]) && value[0] > 0) return { seq: value[0] };
  throw invalidArgument('page_token', 'is not a token returned by ListNotes');
}

/** The values as base64url JSON: what our opaque tokens are made of. */
export function encodeOpaque(values: readonly unknown[]): string {
  return Buffer.from(JSON.stringify(values)).toString('base64url');
}

/** The array an opaque token holds, or undefined when it is not one. */
export function decodeOpaque(token: string): unknown[] | undefined {
  try {
    const value: unknown = JSON.parse(Buffer.from(token, 'base64url').toString('utf8'));
    return Array.isArray(value) ? value : undefined;
  } catch {
    return undefined;
  }
}

export function isPosition(value: unknown): value is number {
  return Number.isSafeInteger(value) && (value as number) >= 0;
}
