import { describe, expect, it } from 'vitest';
import { PostgresCommandStore } from '../../cloud/commands/postgres-store.ts';
import { tenantSchemaMigrations } from '../../cloud/postgres/schema-migrations.ts';
import { testDatabase } from '../helpers/postgres.ts';
import { commandStoreConformance } from './command-store.ts';

const database = testDatabase();

commandStoreConformance(
  'PostgreSQL',
  async () => new PostgresCommandStore(await database.schema(tenantSchemaMigrations)),
);

describe('PostgresCommandStore', () => {
  it('two nodes finishing one command at once: one wins, and it stays final', async () => {
    const schema = await database.schema(tenantSchemaMigrations);
    const [a, b] = [new PostgresCommandStore(schema), new PostgresCommandStore(schema)];
    const at = '2026-11-22T10:00:00.000Z';
    await a.insert([
      {
        id: 'c1',
        deviceId: 'lamp-1',
        gatewayId: 'gw-1',
        kind: 'streetlight',
        command: { action: 'switch', on: true },
        status: 'pending',
        createdAt: at,
        expiresAt: at,
      },
    ]);
    const [succeeded, expired] = await Promise.all([
      a.transition('c1', 'succeeded', at, 'ack'),
      b.transition('c1', 'expired', at, 'deadline'),
    ]);
    expect([succeeded, expired].filter(Boolean)).toHaveLength(1);
    expect((await b.get('c1'))?.status).toBe(succeeded ? 'succeeded' : 'expired');
  });
});
