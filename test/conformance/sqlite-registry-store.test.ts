import { describe, expect, it } from 'vitest';
import { SqliteRegistryStore } from '../../cloud/registry/sqlite-store.ts';
import { openSqlite } from '../../cloud/sqlite/sqlite.ts';
import { registryStoreConformance } from './registry-store.ts';

registryStoreConformance('SQLite', () => new SqliteRegistryStore(openSqlite(':memory:')));

describe('SQLite registry store: many devices at once', () => {
  it('writes them in slices, letting the event loop run between slices, and keeps every one', async () => {
    const store = new SqliteRegistryStore(openSqlite(':memory:'));
    const devices = Array.from({ length: 2_500 }, (_, i) => ({
      id: `lamp-${i}`,
      kind: 'streetlight' as const,
      gatewayId: 'gw-1',
      district: 'centrum',
      provisioned: true,
      latest: { level: i },
    }));
    const events: string[] = [];
    const saved = store.saveDevices(devices, 1_000).then(() => events.push('saved'));
    setImmediate(() => events.push('event loop'));
    await saved;
    expect(events).toEqual(['event loop', 'saved']);
    const back = await store.loadDevices();
    expect(back).toHaveLength(2_500);
    expect(back.find((d) => d.id === 'lamp-2499')?.latest).toEqual({ level: 2_499 });
  });
});
