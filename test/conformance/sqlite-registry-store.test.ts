import { describe, expect, it } from 'vitest';
import { SqliteRegistryStore } from '../../cloud/registry/sqlite-store.ts';
import { openSqlite } from '../../cloud/sqlite/sqlite.ts';
import { registryStoreConformance } from './registry-store.ts';

registryStoreConformance('SQLite', () => new SqliteRegistryStore(openSqlite(':memory:')));

describe('SQLite registry store: many devices at once', () => {
  const devices = Array.from({ length: 2_500 }, (_, i) => ({
    id: `lamp-${i}`,
    kind: 'streetlight' as const,
    gatewayId: 'gw-1',
    district: 'centrum',
    provisioned: true,
    latest: { level: i },
  }));

  it('writes them in timed transactions, the event loop running between, and keeps every one', async () => {
    const store = new SqliteRegistryStore(openSqlite(':memory:'));
    const events: string[] = [];
    // A run of no time: a transaction per device, a turn of the event loop after each.
    const saved = store.saveDevices(devices, 0).then(() => events.push('saved'));
    setImmediate(() => events.push('event loop'));
    await saved;
    expect(events).toEqual(['event loop', 'saved']);
    const back = await store.loadDevices();
    expect(back).toHaveLength(2_500);
    expect(back.find((d) => d.id === 'lamp-2499')?.latest).toEqual({ level: 2_499 });
  });

  it('saves what was seen in timed transactions too, the rows it has and the ones it has not', async () => {
    const store = new SqliteRegistryStore(openSqlite(':memory:'));
    await store.saveDevices(devices.slice(0, 1_000));
    const events: string[] = [];
    const heard = devices.map((d) => ({ ...d, lastSeen: '2026-11-30T16:00:00.000Z', latest: { level: -1 } }));
    const saved = store.saveSeen(heard, 0).then(() => events.push('saved'));
    setImmediate(() => events.push('event loop'));
    await saved;
    expect(events).toEqual(['event loop', 'saved']);
    const back = await store.loadDevices();
    expect(back).toHaveLength(2_500);
    expect(back.every((d) => d.latest.level === -1 && d.lastSeen === '2026-11-30T16:00:00.000Z')).toBe(true);
  });
});
