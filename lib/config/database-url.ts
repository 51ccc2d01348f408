import type { EnvReader } from './env-reader.js';

/** `name` as a PostgreSQL URL, or undefined when unset; the value is never echoed back (it may hold a password). */
export function readDatabaseUrl(env: EnvReader, name: string): string | undefined {
  const url = env.optional(name);
  if (url === undefined) return undefined;
  if (!/^postgres(ql)?:\/\//.test(url)) env.problem(`${name} must be a postgres:// or postgresql:// URL`);
  return url;
}

const LOOPBACK = new Set(['localhost', '127.0.0.1', '[::1]', '::1']);

/**
 * True when two PostgreSQL URLs name the same database on the same server, whatever user,
 * password or options they carry (a different user on the same database still shares it).
 * Without DNS, `localhost` and loopback addresses count as one host; other aliases do not.
 */
export function sameDatabase(a: string, b: string): boolean {
  if (a === b) return true;
  const x = databaseOf(a);
  const y = databaseOf(b);
  return x !== undefined && y !== undefined && x === y;
}

function databaseOf(url: string): string | undefined {
  let u: URL;
  try {
    u = new URL(url);
  } catch {
    return undefined;
  }
  const rawHost = (u.searchParams.get('host') ?? u.hostname).toLowerCase();
  const host = LOOPBACK.has(rawHost) || rawHost === '' ? 'loopback' : rawHost;
  const port = u.searchParams.get('port') ?? (u.port || '5432');
  // libpq: the database defaults to the user name.
  const database = decodeURIComponent(u.pathname.replace(/^\//, '')) || decodeURIComponent(u.username);
  return `${host}:${port}/${database}`;
}

/** The URL without its password, fit for logs. */
export function redactedUrl(url: string): string {
  try {
    const u = new URL(url);
    if (u.password) u.password = '***';
    return u.toString();
  } catch {
    return 'postgres://(unparseable URL)';
  }
}
