import { join } from 'node:path';
import { pino } from 'pino';
import { afterAll, describe, expect, it } from 'vitest';
import { SqliteRegistryStore } from '../../cloud/registry/sqlite-store.ts';
import { sqliteStoresFeature } from '../../cloud/sqlite-stores.ts';
import { deviceRecord } from '../helpers/device-record.ts';
import { tempDir } from '../helpers/temp-dir.ts';

const cleanups: (() => Promise<void>)[] = [];
afterAll(async () => {
  for (const cleanup of cleanups.reverse()) await cleanup();
});

describe("a tenant cell's SQLite stores", () => {
  it("hand the registry's seen flush to the seen thread, and keep it across a restart of the cell", async () => {
    const dir = await tempDir('cell-stores');
    cleanups.push(() => dir.remove());
    const stores = sqliteStoresFeature(dir.path, pino({ level: 'silent' }));
    await stores.start();
    cleanups.push(async () => stores.stop?.());
    const tenantDir = join(dir.path, 'tenants', 'default');
    const lamp = deviceRecord('lamp-1');
    const first = stores.cell('default', tenantDir);
    await first.start();
    const registry = first.stores.registry;
    expect(registry).toBeInstanceOf(SqliteRegistryStore);
    expect((registry as SqliteRegistryStore).seenWrittenBy).toBe('seen thread');
    await registry.saveDevices([lamp]);
    const heard = { ...lamp, lastSeen: '2026-12-01T11:00:00.000Z', latest: { dimLevel: 30 } };
    await registry.saveSeen([heard]);
    await first.stop?.();

    const again = stores.cell('default', tenantDir);
    await again.start();
    expect(await again.stores.registry.loadDevices()).toEqual([heard]);
    await again.stop?.();
  });
});
