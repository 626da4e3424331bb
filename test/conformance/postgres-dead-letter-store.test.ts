import { describe, expect, it } from 'vitest';
import { PostgresDeadLetterStore } from '../../cloud/dead-letters/postgres-store.ts';
import { letterBytes } from '../../cloud/dead-letters/store.ts';
import { tenantSchemaMigrations } from '../../cloud/postgres/schema-migrations.ts';
import { testDatabase } from '../helpers/postgres.ts';
import { deadLetterStoreConformance } from './dead-letter-store.ts';

const database = testDatabase();

deadLetterStoreConformance(
  'PostgreSQL',
  async (options) => new PostgresDeadLetterStore(await database.schema(tenantSchemaMigrations), options),
);

describe('PostgresDeadLetterStore', () => {
  it("keeps a gateway's quota when two nodes add its letters at once", async () => {
    const schema = await database.schema(tenantSchemaMigrations);
    const letter = (n: number) => ({
      receivedAt: new Date(Date.parse('2026-11-22T10:00:00.000Z') + n),
      topic: 'city/v1/gw-1/telemetry',
      gatewayId: 'gw-1',
      rejections: [{ reason: 'invalid-json' as const, message: 'x' }],
      size: 10,
      sha256: String(n).padStart(64, '0'),
      shape: { format: 'lines' as const, lines: 1 },
    });
    const quotaBytes = 5 * letterBytes(letter(0));
    const nodes = [
      new PostgresDeadLetterStore(schema, { quotaBytes }),
      new PostgresDeadLetterStore(schema, { quotaBytes }),
    ];
    const kept = await Promise.all(Array.from({ length: 12 }, (_, n) => nodes[n % 2]?.add(letter(n))));
    expect(kept.filter(Boolean)).toHaveLength(5);
    expect(await nodes[0]?.usage()).toEqual([
      { gatewayId: 'gw-1', bytes: quotaBytes, letters: 5, dropped: 7 },
    ]);
  });
});
