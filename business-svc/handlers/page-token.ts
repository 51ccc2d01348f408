import { invalidArgument } from '../../lib/grpc/errors.js';
import type { PageCursor } from '../store/note-store.js';

/**
 * Opaque to clients: base64url of the keyset position. It only positions a query that
 * is already restricted to the caller's notes, so it grants nothing when tampered with.
 */
export function encodePageToken(cursor: PageCursor): string {
  return Buffer.from(JSON.stringify([cursor.seq])).toString('base64url');
}

export function decodePageToken(token: string): PageCursor | undefined {
  if (token === '') return undefined;
  try {
    const value: unknown = JSON.parse(Buffer.from(token, 'base64url').toString('utf8'));
    if (Array.isArray(value) && value.length === 1 && Number.isSafeInteger(value[0]) && (value[0] as number) > 0) {
      return { seq: value[0] as number };
    }
  } catch {
    // fall through to the error below
  }
  throw invalidArgument('page_token', 'is not a token returned by ListNotes');
}
