import { describe, expect, it } from 'vitest';
import { MemoryRegistryStore } from '../../../../cloud/registry/memory-store.ts';
import { DeviceRegistry } from '../../../../cloud/registry/registry.ts';
import { noLatest } from '../../../../cloud/registry/store.ts';
import type { Reading } from '../../../../shared/kinds/index.ts';

async function registry() {
  const r = new DeviceRegistry({
    store: new MemoryRegistryStore(),
    now: () => new Date('2026-11-22T18:00:00.000Z'),
    offlineAfterMs: 900_000,
  });
  const location = { lat: 50.55, lon: 13.75 };
  await r.load([
    {
      city: { name: 'Bílina', timezone: 'Europe/Prague', location },
      gateways: [{ id: 'gw-1', district: 'centrum', location }],
      devices: [
        { id: 'bin-1', kind: 'wasteBin', gatewayId: 'gw-1', district: 'centrum', location },
        { id: 'bin-2', kind: 'wasteBin', gatewayId: 'gw-1', district: 'centrum', location },
      ],
    },
  ]);
  return r;
}

const reading = (ts: string, fillingLevel: number) =>
  ({ deviceId: 'bin-1', kind: 'wasteBin', ts, metrics: { fillingLevel } }) as Reading;

describe('latest values', () => {
  it('keep the newest reading, whatever order readings arrive in and however their time is written', async () => {
    const r = await registry();
    r.recordReadings([reading('2026-11-22T17:00:00.000Z', 40)]);
    r.recordReadings([reading('2026-11-22T16:59:59.999Z', 10)]);
    expect(r.record('bin-1')?.latest).toEqual({ fillingLevel: 40 });
    // 17:30 in Brussels (+01:00) is 16:30 UTC: older, although its text sorts after.
    r.recordReadings([reading('2026-11-22T17:30:00.000+01:00', 20)]);
    expect(r.record('bin-1')?.latest).toEqual({ fillingLevel: 40 });
    // Same instant in another shape, then a newer one without milliseconds.
    r.recordReadings([reading('2026-11-22T18:00:00+01:00', 41)]);
    expect(r.record('bin-1')?.latest).toEqual({ fillingLevel: 41 });
    r.recordReadings([reading('2026-11-22T17:00:01Z', 42)]);
    expect(r.record('bin-1')).toMatchObject({
      latest: { fillingLevel: 42 },
      latestTs: '2026-11-22T17:00:01Z',
    });
  });

  it("start shared and empty, and become a device's own at its first reading", async () => {
    const r = await registry();
    expect(r.record('bin-1')?.latest).toBe(r.record('bin-2')?.latest);
    r.recordReadings([reading('2026-11-22T17:00:00.000Z', 40)]);
    expect(r.record('bin-1')?.latest).toEqual({ fillingLevel: 40 });
    expect(r.record('bin-2')?.latest).toEqual({});
    expect(noLatest).toEqual({});
  });
});
