import { isStorableText } from '../text/text-rules.js';
import { invalidArgument } from './errors.js';

/** A keyset position: the sort key(s) of the last item of the previous page. */
export type PagePosition = readonly (string | number)[];

/**
 * Opaque to clients: base64url of the position as JSON. Positions only resume a query the
 * caller may run anyway, so a tampered token grants nothing; it is still checked by shape.
 */
export function encodePageToken(position: PagePosition): string {
  return Buffer.from(JSON.stringify(position)).toString('base64url');
}

/**
 * The position in `token` (undefined for '' = first page), if `parse` accepts its shape;
 * otherwise INVALID_ARGUMENT naming the field and the RPC that hands such tokens out.
 */
export function decodePageToken<T>(token: string, rpc: string, parse: (position: unknown[]) => T | undefined, field = 'page_token'): T | undefined {
  if (token === '') return undefined;
  if (token.length <= 1024) {
    try {
      const value: unknown = JSON.parse(Buffer.from(token, 'base64url').toString('utf8'));
      // A position goes to the store: text it cannot keep (NUL, lone surrogates) is no position of ours.
      const storable = Array.isArray(value) && value.every((v) => typeof v !== 'string' || isStorableText(v));
      const position = storable ? parse(value) : undefined;
      if (position !== undefined) return position;
    } catch {
      // fall through to the error below
    }
  }
  throw invalidArgument(field, `is not a token returned by ${rpc}`);
}
