/**
 * Errors that say a dependency (database, network) is briefly out of reach rather than
 * that the code is wrong: answered UNAVAILABLE so clients retry (the SDK does, for
 * idempotent calls), not INTERNAL.
 */
const TRANSIENT_CODES = new Set([
  // Node sockets
  'ECONNREFUSED',
  'ECONNRESET',
  'ETIMEDOUT',
  'EPIPE',
  'EHOSTUNREACH',
  'ENOTFOUND',
  'EAI_AGAIN',
  // PostgreSQL SQLSTATE: connection exceptions, too many connections, shutting down, serialization
  '08000',
  '08001',
  '08003',
  '08004',
  '08006',
  '53300',
  '57P01',
  '57P02',
  '57P03',
  '40001',
  '40P01',
  // SQLite: another process holds the lock beyond busy_timeout
  'SQLITE_BUSY',
  'SQLITE_LOCKED',
]);

export function isTransient(err: unknown): boolean {
  const code = (err as { code?: unknown } | null)?.code;
  if (typeof code === 'string' && TRANSIENT_CODES.has(code)) return true;
  // node-postgres reports a dropped or unreachable server with these messages and no code
  // ("Connection terminated unexpectedly", "Connection terminated", a client "… is not queryable").
  const message = err instanceof Error ? err.message : '';
  return (
    message.startsWith('Connection terminated') ||
    message.startsWith('timeout exceeded when trying to connect') ||
    /^Client (was closed|has encountered a connection error) and is not queryable$/.test(message)
  );
}
