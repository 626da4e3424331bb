import pg from 'pg';
import type { Logger } from 'pino';

/**
 * A pool of connections to PostgreSQL (the `pg` package: pure JavaScript, no native addon). An idle
 * connection that the server drops (a restart, a failover) is reported here and replaced on the next
 * query, instead of crashing the process; a query in flight fails and its caller sees the error.
 */
export function openPool(url: string, options: { log?: Logger; max?: number } = {}): pg.Pool {
  const pool = new pg.Pool({
    connectionString: url,
    max: options.max ?? 10,
    // A connection not had within 10 s (a server that does not answer, or every connection of the pool
    // busy that long) fails instead of waiting for ever; keep-alive notices a peer that went away.
    connectionTimeoutMillis: 10_000,
    keepAlive: true,
  });
  pool.on('error', (error) =>
    options.log?.warn({ err: error }, 'PostgreSQL dropped an idle connection; it is replaced on next use'),
  );
  return pool;
}

/** Runs `fn` in one transaction on one connection of the pool: committed if it resolves, else rolled back. */
export async function inTransaction<T>(pool: pg.Pool, fn: (client: pg.PoolClient) => Promise<T>): Promise<T> {
  const client = await pool.connect();
  // A connection lost between two queries (the server restarted) is reported as an 'error' event, which
  // would end the process without a listener; the next query fails with it instead.
  const lost = () => undefined;
  client.on('error', lost);
  try {
    await client.query('BEGIN');
    const result = await fn(client);
    await client.query('COMMIT');
    return result;
  } catch (error) {
    // A connection that broke cannot roll back: the pool closes it on release instead of reusing it.
    await client.query('ROLLBACK').catch(() => undefined);
    throw error;
  } finally {
    client.removeListener('error', lost);
    client.release();
  }
}
