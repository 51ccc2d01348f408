import { decodePageToken as decode, encodePageToken as encode } from '../../lib/grpc/page-token.js';
import type { PageCursor } from '../store/note-store.js';

/** ListNotes' token: the insertion sequence of the last note shown. */
export function encodePageToken(cursor: PageCursor): string {
  return encode([cursor.seq]);
}

export function decodePageToken(token: string): PageCursor | undefined {
  return decode(token, 'ListNotes', (p) => (p.length === 1 && Number.isSafeInteger(p[0]) && (p[0] as number) > 0 ? { seq: p[0] as number } : undefined));
}
