import { describe, expect, it } from 'vitest';
import { PostgresDatabase } from '../../cloud/postgres/database.ts';
import { migrate, type PgMigration } from '../../cloud/postgres/migrations.ts';
import { openPool } from '../../cloud/postgres/pool.ts';
import { openPostgresStores } from '../../cloud/postgres-stores.ts';
import { testDatabase } from '../helpers/postgres.ts';

const database = testDatabase();

const tableNames = async (schema: string) => {
  const pool = await database.pool();
  const { rows } = await pool.query<{ table_name: string }>(
    'SELECT table_name FROM information_schema.tables WHERE table_schema = $1 ORDER BY table_name',
    [schema],
  );
  return rows.map((r) => r.table_name);
};

describe('PostgreSQL migrations', () => {
  it('two nodes migrating one schema at once: one applies the migrations, the other waits and finds them done', async () => {
    await database.pool();
    // The first migration holds its transaction a while, so the second node surely arrives meanwhile.
    const slow: PgMigration[] = [
      {
        name: 'a table, slowly',
        up: async (client, schema) => {
          await client.query(`CREATE TABLE ${schema}.things (id TEXT PRIMARY KEY)`);
          await client.query('SELECT pg_sleep(0.3)');
        },
      },
      {
        name: 'a column',
        up: (client, schema) => client.query(`ALTER TABLE ${schema}.things ADD COLUMN n INT`).then(),
      },
    ];
    const nodes = [openPool(database.url), openPool(database.url)];
    try {
      const results = await Promise.all(nodes.map((pool) => migrate(pool, 'raced', slow)));
      expect(results).toEqual(
        expect.arrayContaining([
          { from: 0, to: 2 },
          { from: 2, to: 2 },
        ]),
      );
    } finally {
      await Promise.all(nodes.map((pool) => pool.end()));
    }
    expect(await tableNames('raced')).toEqual(['schema_version', 'things']);
  });

  it('two nodes connecting at once to a new database both start, on one platform schema', async () => {
    await database.pool();
    const nodes = await Promise.all([
      PostgresDatabase.connect(database.url),
      PostgresDatabase.connect(database.url),
    ]);
    await Promise.all(nodes.map((node) => node.tenant('cheb')));
    await Promise.all(nodes.map((node) => node.close()));
    expect(await tableNames('platform')).toContain('tenants');
    expect(await tableNames('t_cheb')).toContain('alerts');
  });

  it('leaves a schema as it was when a migration fails, naming the migration', async () => {
    const pool = await database.pool();
    const good: PgMigration = {
      name: 'a table',
      up: (c, s) => c.query(`CREATE TABLE ${s}.a (id INT)`).then(),
    };
    const bad: PgMigration = {
      name: 'a typo',
      up: (c, s) => c.query(`CREATE TABLE ${s}.b (id NOPE)`).then(),
    };
    await expect(migrate(pool, 'failing', [good, bad])).rejects.toThrow(
      /schema failing: migration 2 \(a typo\) failed: type "nope" does not exist/,
    );
    expect(await tableNames('failing')).toEqual([]);
    expect(await migrate(pool, 'failing', [good])).toEqual({ from: 0, to: 1 });
  });

  it('refuses a schema a newer release migrated further', async () => {
    const pool = await database.pool();
    const one: PgMigration = {
      name: 'a table',
      up: (c, s) => c.query(`CREATE TABLE ${s}.a (id INT)`).then(),
    };
    const two: PgMigration = {
      name: 'another',
      up: (c, s) => c.query(`CREATE TABLE ${s}.b (id INT)`).then(),
    };
    await migrate(pool, 'newer', [one, two]);
    await expect(migrate(pool, 'newer', [one])).rejects.toThrow(/has version 2, this release knows 1/);
  });
});

describe('a schema per tenant', () => {
  it("keeps each tenant's stores apart, and deleting a tenant drops its schema and nothing else", async () => {
    await database.pool();
    const stores = await openPostgresStores(database.url);
    try {
      const kv = await stores.tenant('karlovy-vary');
      const cheb = await stores.tenant('cheb');
      const at = new Date('2026-11-22T10:00:00.000Z');
      await kv.rules.save({ id: 'r', name: 'KV' } as never, at);
      await cheb.rules.save({ id: 'r', name: 'Cheb' } as never, at);
      await kv.audit.record({
        at: at.toISOString(),
        actor: 'ops',
        action: 'x',
        target: 'y',
        before: null,
        after: null,
      });
      expect((await cheb.audit.list(10, 0)).total).toBe(0);
      expect(await tableNames('t_karlovy_vary')).toContain('rules');

      expect(await stores.dropTenant('karlovy-vary')).toBe(true);
      expect(await tableNames('t_karlovy_vary')).toEqual([]);
      expect(await stores.dropTenant('karlovy-vary')).toBe(false);
      expect((await cheb.rules.stored()).get('r')).toEqual({ id: 'r', name: 'Cheb' });
      // Its schema comes back empty if the tenant is created again.
      expect(await (await stores.tenant('karlovy-vary')).rules.stored()).toEqual(new Map());
    } finally {
      await stores.close();
    }
  });

  it('names no schema after something that is not a tenant id', async () => {
    await database.pool();
    const db = await PostgresDatabase.connect(database.url);
    try {
      for (const id of ['x"; DROP SCHEMA platform CASCADE; --', 'Cheb', 'a_b', 'x'])
        await expect(db.dropTenant(id)).rejects.toThrow(/is not a tenant id/);
      expect(await tableNames('platform')).toContain('users');
    } finally {
      await db.close();
    }
  });

  it('says where it could not connect, without the password', async () => {
    await expect(PostgresDatabase.connect('postgres://city:s3cret@127.0.0.1:1/city')).rejects.toThrow(
      /^PostgreSQL at postgres:\/\/city:\*\*\*@127\.0\.0\.1:1\/city: .*ECONNREFUSED/,
    );
  });
});
