import type pg from 'pg';
import { inTransaction } from './pool.ts';
import { quoteSchema } from './schema-name.ts';

/**
 * One step of a schema: migration i (from 0) takes it from version i to i + 1. A schema's migrations
 * are one ordered list, only ever appended to; `up` gets the quoted schema name to qualify its tables.
 */
export interface PgMigration {
  name: string;
  up(client: pg.PoolClient, schema: string): Promise<void>;
}

export class PgSchemaTooNewError extends Error {
  constructor(schema: string, found: number, known: number) {
    super(
      `PostgreSQL schema ${schema} has version ${found}, this release knows ${known}: it was written by a newer release; run that release`,
    );
  }
}

/**
 * Creates `schema` if need be and brings it to the last version of `migrations`, in one transaction
 * under a transaction-level advisory lock on the schema's name: nodes starting together wait for one
 * another, and the later ones find the work done. A failure leaves the schema as it was.
 */
export async function migrate(
  pool: pg.Pool,
  schema: string,
  migrations: readonly PgMigration[],
): Promise<{ from: number; to: number }> {
  const quoted = quoteSchema(schema);
  return inTransaction(pool, async (client) => {
    await client.query('SELECT pg_advisory_xact_lock(hashtextextended($1, 0))', [
      `city-migrations:${schema}`,
    ]);
    await client.query(`CREATE SCHEMA IF NOT EXISTS ${quoted}`);
    await client.query(`CREATE TABLE IF NOT EXISTS ${quoted}.schema_version (version INTEGER NOT NULL)`);
    const { rows } = await client.query<{ version: number }>(`SELECT version FROM ${quoted}.schema_version`);
    const from = rows[0]?.version ?? 0;
    if (from > migrations.length) throw new PgSchemaTooNewError(schema, from, migrations.length);
    for (const [index, migration] of migrations.entries()) {
      if (index < from) continue;
      try {
        await migration.up(client, quoted);
      } catch (error) {
        throw new Error(
          `PostgreSQL schema ${schema}: migration ${index + 1} (${migration.name}) failed: ${(error as Error).message}`,
          { cause: error },
        );
      }
    }
    if (rows.length === 0)
      await client.query(`INSERT INTO ${quoted}.schema_version (version) VALUES ($1)`, [migrations.length]);
    else if (from < migrations.length)
      await client.query(`UPDATE ${quoted}.schema_version SET version = $1`, [migrations.length]);
    return { from, to: Math.max(from, migrations.length) };
  });
}
