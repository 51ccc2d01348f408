import pg from 'pg';

export type Pool = pg.Pool;
export type PoolClient = pg.PoolClient;

const INT8 = 20;

/**
 * Columns are BIGINT epoch ms (and BIGSERIAL seqs): node-postgres returns those as
 * strings, to be safe beyond 2^53. Ours stay far below it, so they become numbers.
 */
export const PG_TYPES = {
  getTypeParser: ((oid: number, format?: 'text' | 'binary') =>
    oid === INT8 ? (value: string) => Number(value) : pg.types.getTypeParser(oid, format)) as pg.CustomTypesConfig['getTypeParser'],
};

/** A small pool per process; `onError` hears errors of idle connections (which must not crash us). */
export function createPool(url: string, onError: (err: Error) => void): Pool {
  const pool = new pg.Pool({ connectionString: url, types: PG_TYPES, max: 10, connectionTimeoutMillis: 10_000 });
  pool.on('error', onError);
  return pool;
}

/**
 * Runs `fn` with a connection of its own. A checked-out connection has no error listener
 * of the pool's: if the server ends it between two queries (a restart, an administrator's
 * terminate), the 'error' event would crash the process. It is heard here instead, and
 * the connection is discarded, not reused.
 */
export async function withConnection<T>(pool: Pool, fn: (client: PoolClient, broken: (err: Error) => void) => Promise<T>): Promise<T> {
  const client = await pool.connect();
  let broken: Error | undefined;
  const markBroken = (err: Error) => (broken ??= err);
  client.on('error', markBroken);
  try {
    return await fn(client, markBroken);
  } finally {
    client.off('error', markBroken);
    client.release(broken);
  }
}

/** Runs `fn` in one transaction on one connection: committed if it resolves, rolled back if it throws. */
export async function withTransaction<T>(pool: Pool, fn: (client: PoolClient) => Promise<T>): Promise<T> {
  return withConnection(pool, async (client, broken) => {
    try {
      await client.query('BEGIN');
      const result = await fn(client);
      await client.query('COMMIT');
      return result;
    } catch (err) {
      // A connection that cannot roll back is discarded, not reused.
      await client.query('ROLLBACK').catch(broken);
      throw err;
    }
  });
}

/** SQLSTATE 23505: a UNIQUE constraint refused the row. */
export function isUniqueViolation(err: unknown): boolean {
  return (err as { code?: string }).code === '23505';
}
