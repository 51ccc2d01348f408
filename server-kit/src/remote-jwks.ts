import type { KeySetSnapshot } from './jwks-cache.js';
import { parseJwksJson } from './jwks-json.js';

/** Where another issuer's keys come from: its JWKS URL, or its issuer URL and OIDC discovery. */
export type RemoteKeySource = { readonly jwksUrl: string } | { readonly issuerUrl: string };

/** Larger answers are refused (a JWKS is a few KB; a discovery document too). */
export const MAX_DOCUMENT_BYTES = 256 * 1024;

/**
 * A fetch function for JwksCache that reads a JWKS over HTTP(S): one GET per refresh,
 * with a deadline, a size cap, no redirects, and `If-None-Match` so an unchanged set
 * costs a 304. With an issuer URL the JWKS location is discovered first
 * (`<issuer>/.well-known/openid-configuration`, whose `issuer` must match) and kept.
 * Failures throw; JwksCache keeps its cached keys and retries.
 */
export function remoteJwksFetcher(source: RemoteKeySource, timeoutMs = 2000): () => Promise<KeySetSnapshot> {
  let jwksUrl = 'jwksUrl' in source ? source.jwksUrl : undefined;
  let last: { etag: string | undefined; snapshot: KeySetSnapshot } | undefined;
  return async () => {
    jwksUrl ??= await discoverJwksUri((source as { issuerUrl: string }).issuerUrl, timeoutMs);
    const res = await getDocument(jwksUrl, timeoutMs, last?.etag);
    if (res.status === 304 && last) return last.snapshot;
    if (res.status !== 200) throw new Error(`GET ${jwksUrl} answered HTTP ${res.status}`);
    last = { etag: res.etag, snapshot: { keys: parseJwksJson(parseJson(res.body, jwksUrl)) } };
    return last.snapshot;
  };
}

/** OpenID Connect Discovery 1.0 §4: the document must name the issuer we asked about. */
export async function discoverJwksUri(issuerUrl: string, timeoutMs: number): Promise<string> {
  const url = `${issuerUrl.replace(/\/+$/, '')}/.well-known/openid-configuration`;
  const res = await getDocument(url, timeoutMs, undefined);
  if (res.status !== 200) throw new Error(`GET ${url} answered HTTP ${res.status}`);
  const doc = parseJson(res.body, url) as { issuer?: unknown; jwks_uri?: unknown } | null;
  if (doc?.issuer !== issuerUrl) throw new Error(`discovery document at ${url} names another issuer`);
  const jwks = typeof doc.jwks_uri === 'string' ? safeUrl(doc.jwks_uri) : undefined;
  // An https issuer must not hand out a plaintext key location.
  if (!jwks || (new URL(issuerUrl).protocol === 'https:' && jwks.protocol !== 'https:')) {
    throw new Error(`discovery document at ${url} has no usable jwks_uri`);
  }
  return jwks.href;
}

function safeUrl(raw: string): URL | undefined {
  const url = URL.canParse(raw) ? new URL(raw) : undefined;
  return url?.protocol === 'https:' || url?.protocol === 'http:' ? url : undefined;
}

function parseJson(body: string, url: string): unknown {
  try {
    return JSON.parse(body);
  } catch {
    throw new Error(`${url} did not answer JSON`);
  }
}

interface Fetched {
  readonly status: number;
  readonly etag: string | undefined;
  readonly body: string;
}

async function getDocument(url: string, timeoutMs: number, etag: string | undefined): Promise<Fetched> {
  const res = await fetch(url, {
    headers: { accept: 'application/json', ...(etag ? { 'if-none-match': etag } : {}) },
    redirect: 'error',
    signal: AbortSignal.timeout(timeoutMs),
  });
  const body = res.status === 200 ? await readBounded(res, url) : (await res.body?.cancel(), '');
  return { status: res.status, etag: res.headers.get('etag') ?? undefined, body };
}

async function readBounded(res: Response, url: string): Promise<string> {
  if (Number(res.headers.get('content-length') ?? 0) > MAX_DOCUMENT_BYTES) {
    await res.body?.cancel();
    throw new Error(`${url} answered more than ${MAX_DOCUMENT_BYTES} bytes`);
  }
  if (!res.body) return '';
  const chunks: Uint8Array[] = [];
  let size = 0;
  const reader = res.body.getReader();
  for (;;) {
    const { done, value } = await reader.read();
    if (done) break;
    size += value.byteLength;
    if (size > MAX_DOCUMENT_BYTES) {
      await reader.cancel();
      throw new Error(`${url} answered more than ${MAX_DOCUMENT_BYTES} bytes`);
    }
    chunks.push(value);
  }
  return Buffer.concat(chunks).toString('utf8');
}
