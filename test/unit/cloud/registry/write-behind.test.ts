import { describe, expect, it } from 'vitest';
import { MemoryRegistryStore } from '../../../../cloud/registry/memory-store.ts';
import { DeviceRegistry } from '../../../../cloud/registry/registry.ts';
import type { GatewayRecord } from '../../../../cloud/registry/store.ts';
import type { Reading } from '../../../../shared/kinds/index.ts';

const now = () => new Date('2026-11-22T18:00:00.000Z');

describe('the registry writes behind to its store', () => {
  it('learns a device at once (learning on) and stores it; lists show readings at once, the store has them after the flush', async () => {
    const store = new MemoryRegistryStore();
    const registry = new DeviceRegistry({ store, now, offlineAfterMs: 900_000, learnUnprovisioned: true });
    await registry.load([]);
    registry.place('gw-1', { deviceId: 'bin-1', kind: 'wasteBin' });
    expect(registry.getDevice('bin-1')).toMatchObject({ gatewayId: 'gw-1', provisioned: false });
    await registry.written();
    expect(await store.getDevice('bin-1')).toMatchObject({ gatewayId: 'gw-1', latest: {} });
    registry.recordReadings([
      {
        deviceId: 'bin-1',
        kind: 'wasteBin',
        ts: now().toISOString(),
        metrics: { fillingLevel: 40 },
      } as Reading,
    ]);
    expect((await store.getDevice('bin-1'))?.latest).toEqual({});
    const listed = registry.listDevices({}, { limit: 10, offset: 0 });
    expect(listed.items[0]).toMatchObject({ id: 'bin-1', latest: { fillingLevel: 40 }, status: 'online' });
    expect((await store.getDevice('bin-1'))?.latest).toEqual({});
    await registry.flush();
    expect((await store.getDevice('bin-1'))?.latest).toEqual({ fillingLevel: 40 });
  });

  it('keeps the order of writes, and reports a failed one with what it was saving', async () => {
    const saved: string[] = [];
    const errors: string[] = [];
    const store = new MemoryRegistryStore();
    let calls = 0;
    store.saveGateway = async (gateway: GatewayRecord) => {
      // Each write is slower than the next: unless they are chained, the last lands first.
      const call = calls++;
      await new Promise((resolve) => setTimeout(resolve, 30 - call * 15));
      if (call === 0) throw new Error('disk full');
      saved.push(`${gateway.id} ${gateway.state}`);
    };
    const registry = new DeviceRegistry({
      store,
      now,
      offlineAfterMs: 900_000,
      onWriteError: (e) => errors.push(e.message),
    });
    await registry.load([]);
    registry.recordStatus({ v: 1, gatewayId: 'gw-1', state: 'online', ts: now().toISOString() } as never);
    registry.recordStatus({ v: 1, gatewayId: 'gw-1', state: 'offline', ts: now().toISOString() } as never);
    registry.recordStatus({ v: 1, gatewayId: 'gw-2', state: 'online', ts: now().toISOString() } as never);
    await registry.written();
    expect(errors).toEqual(['registry: saving gateway gw-1 failed: disk full']);
    expect(saved).toEqual(['gw-1 offline', 'gw-2 online']);
    // Writes go on after a failure.
    registry.recordStatus({ v: 1, gatewayId: 'gw-3', state: 'online', ts: now().toISOString() } as never);
    await registry.written();
    expect(saved).toEqual(['gw-1 offline', 'gw-2 online', 'gw-3 online']);
  });

  it('writes the latest values again at the next flush when a flush failed (a full disk)', async () => {
    const store = new MemoryRegistryStore();
    const errors: string[] = [];
    const registry = new DeviceRegistry({
      store,
      now,
      offlineAfterMs: 900_000,
      learnUnprovisioned: true,
      onWriteError: (e) => errors.push(e.message),
    });
    await registry.load([]);
    registry.place('gw-1', { deviceId: 'bin-1', kind: 'wasteBin' });
    await registry.written();
    const save = store.saveSeen.bind(store);
    store.saveSeen = async () => {
      throw new Error('SQLITE_FULL');
    };
    registry.recordReadings([
      {
        deviceId: 'bin-1',
        kind: 'wasteBin',
        ts: now().toISOString(),
        metrics: { fillingLevel: 40 },
      } as Reading,
    ]);
    await registry.flush();
    expect(errors).toEqual(['registry: saving 1 devices failed: SQLITE_FULL']);
    store.saveSeen = save;
    await registry.flush();
    expect((await store.getDevice('bin-1'))?.latest).toEqual({ fillingLevel: 40 });
  });

  it('writes each device heard from since the last flush once, however often it reported', async () => {
    const store = new MemoryRegistryStore();
    const registry = new DeviceRegistry({ store, now, offlineAfterMs: 900_000, learnUnprovisioned: true });
    await registry.load([]);
    for (const id of ['bin-1', 'bin-2', 'bin-3']) registry.place('gw-1', { deviceId: id, kind: 'wasteBin' });
    await registry.written();
    const writes: string[][] = [];
    const save = store.saveSeen.bind(store);
    store.saveSeen = async (devices) => {
      writes.push(devices.map((d) => d.id));
      await save(devices);
    };
    const bin = (id: string, fillingLevel: number) =>
      ({ deviceId: id, kind: 'wasteBin', ts: now().toISOString(), metrics: { fillingLevel } }) as Reading;
    registry.recordReadings([bin('bin-1', 1), bin('bin-2', 2), bin('bin-1', 3)]);
    registry.recordReadings([bin('bin-2', 4)]);
    registry.recordReadings([]);
    await registry.flush();
    expect(writes).toEqual([['bin-1', 'bin-2']]);
    expect((await store.getDevice('bin-1'))?.latest).toEqual({ fillingLevel: 3 });
    await registry.flush();
    expect(writes).toHaveLength(1);
    registry.recordReadings([bin('bin-3', 5)]);
    await registry.flush();
    expect(writes).toEqual([['bin-1', 'bin-2'], ['bin-3']]);
  });
});
