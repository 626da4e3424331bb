import { randomBytes } from 'node:crypto';
import pg from 'pg';
import { afterAll } from 'vitest';
import { migrate, type PgMigration } from '../../cloud/postgres/migrations.ts';
import { openPool } from '../../cloud/postgres/pool.ts';
import { type PgSchema, quoteSchema } from '../../cloud/postgres/schema-name.ts';

/** The PostgreSQL that runs as a service on these machines and in CI (trust authentication). */
export const postgresServer = process.env.TEST_POSTGRES_URL ?? 'postgres://postgres@127.0.0.1:5432';

async function admin<T>(fn: (client: pg.Client) => Promise<T>): Promise<T> {
  const client = new pg.Client({
    connectionString: `${postgresServer}/postgres`,
    connectionTimeoutMillis: 5_000,
  });
  try {
    await client.connect();
  } catch (error) {
    throw new Error(
      `PostgreSQL is not reachable at ${postgresServer} (${(error as Error).message}): these tests need it; start the service (systemctl start postgresql) or set TEST_POSTGRES_URL`,
      { cause: error },
    );
  }
  try {
    return await fn(client);
  } finally {
    await client.end();
  }
}

export interface TestDatabase {
  url: string;
  /** Creates the database on first use; the pool is ended before the database is dropped. */
  pool(): Promise<pg.Pool>;
  /** A new, empty schema brought to `migrations`: one per test keeps tests apart in one database. */
  schema(migrations: readonly PgMigration[]): Promise<PgSchema>;
}

/**
 * A database of this test file's own (`city_test_<random>`), dropped after its tests (their
 * connections ended first). Call at the top of a file or a describe block.
 */
export function testDatabase(): TestDatabase {
  const name = `city_test_${randomBytes(6).toString('hex')}`;
  const url = `${postgresServer}/${name}`;
  let pool: pg.Pool | undefined;
  let created: Promise<void> | undefined;
  let schemas = 0;
  const ready = () => {
    created ??= admin(async (client) => {
      await client.query(`CREATE DATABASE ${name}`);
    });
    return created;
  };
  afterAll(async () => {
    if (!created) return;
    await pool?.end();
    await admin(async (client) => {
      await client.query('SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = $1', [name]);
      await client.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
    });
  });
  return {
    url,
    async pool() {
      await ready();
      pool ??= openPool(url);
      return pool;
    },
    async schema(migrations) {
      const connected = await this.pool();
      const schemaName = `s_${++schemas}`;
      await migrate(connected, schemaName, migrations);
      return { pool: connected, name: quoteSchema(schemaName) };
    },
  };
}
