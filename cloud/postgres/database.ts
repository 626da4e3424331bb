import type pg from 'pg';
import type { Logger } from 'pino';
import { migrate } from './migrations.ts';
import { openPool } from './pool.ts';
import { platformSchemaMigrations, tenantSchemaMigrations } from './schema-migrations.ts';
import { type PgSchema, platformSchemaName, quoteSchema, tenantSchemaName } from './schema-name.ts';

/**
 * The installation's PostgreSQL database (DATABASE_URL): one pool, the `platform` schema, and one
 * schema per tenant (`t_<id>`), each brought to its last migration before a store uses it. Deleting
 * a tenant is dropping its schema.
 */
export class PostgresDatabase {
  readonly pool: pg.Pool;

  private constructor(pool: pg.Pool) {
    this.pool = pool;
  }

  /** Connects and migrates the platform schema; a database that cannot be reached fails here, with its address. */
  static async connect(url: string, options: { log?: Logger; max?: number } = {}): Promise<PostgresDatabase> {
    const database = new PostgresDatabase(openPool(url, options));
    try {
      await database.platform();
    } catch (error) {
      await database.close();
      throw new Error(`PostgreSQL at ${redacted(url)}: ${(error as Error).message}`, { cause: error });
    }
    return database;
  }

  /** The platform schema, migrated. */
  async platform(): Promise<PgSchema> {
    await migrate(this.pool, platformSchemaName, platformSchemaMigrations);
    return { pool: this.pool, name: quoteSchema(platformSchemaName) };
  }

  /** A tenant's schema, created if need be and migrated. */
  async tenant(id: string): Promise<PgSchema> {
    const name = tenantSchemaName(id);
    await migrate(this.pool, name, tenantSchemaMigrations);
    return { pool: this.pool, name: quoteSchema(name) };
  }

  /** Deletes every store of a tenant: its schema and all in it. Returns whether there was one. */
  async dropTenant(id: string): Promise<boolean> {
    const name = tenantSchemaName(id);
    const { rowCount } = await this.pool.query('SELECT 1 FROM pg_namespace WHERE nspname = $1', [name]);
    await this.pool.query(`DROP SCHEMA IF EXISTS ${quoteSchema(name)} CASCADE`);
    return (rowCount ?? 0) > 0;
  }

  close(): Promise<void> {
    return this.pool.end();
  }
}

/** The URL without its password, for messages and logs. */
export function redacted(url: string): string {
  try {
    const parsed = new URL(url);
    if (parsed.password) parsed.password = '***';
    return parsed.toString();
  } catch {
    return '(an unreadable URL)';
  }
}
