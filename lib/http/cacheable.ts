import { createHash } from 'node:crypto';
import type { IncomingHttpHeaders } from 'node:http';
import type { HttpReply } from './bounded-http-server.js';

/**
 * A JSON answer caches may keep for `maxAgeSeconds`, with a strong ETag (a hash of the
 * body), so a client revalidating with `If-None-Match` gets a 304 until the content changes.
 */
export function cacheableJson(value: unknown, maxAgeSeconds: number, request: IncomingHttpHeaders): HttpReply {
  const body = JSON.stringify(value);
  const etag = `"${createHash('sha256').update(body).digest('base64url').slice(0, 27)}"`;
  const headers = { 'content-type': 'application/json', 'cache-control': `public, max-age=${maxAgeSeconds}`, etag };
  if (matchesEtag(request['if-none-match'], etag)) return { status: 304, headers, body: '' };
  return { status: 200, headers, body };
}

/** RFC 9110 §13.1.2: `*` or any listed tag, compared weakly (a W/ prefix does not matter). */
function matchesEtag(ifNoneMatch: string | undefined, etag: string): boolean {
  if (ifNoneMatch === undefined) return false;
  return ifNoneMatch.split(',').some((tag) => {
    const t = tag.trim();
    return t === '*' || (t.startsWith('W/') ? t.slice(2) : t) === etag;
  });
}
