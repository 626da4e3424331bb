import { describe, expect, it } from 'vitest';
import { MemoryRegistryStore } from '../../../../cloud/registry/memory-store.ts';
import { DeviceRegistry, type RegistryOptions } from '../../../../cloud/registry/registry.ts';
import { type DeviceRecord, noLatest } from '../../../../cloud/registry/store.ts';
import type { Reading } from '../../../../shared/kinds/index.ts';

/** A registry of two bins, loaded; `beforeLoad` sees it first (to follow its changes). */
async function registry(
  options: Partial<RegistryOptions> = {},
  beforeLoad: (r: DeviceRegistry) => void = () => {},
) {
  const r = new DeviceRegistry({
    store: new MemoryRegistryStore(),
    now: () => new Date('2026-11-22T18:00:00.000Z'),
    offlineAfterMs: 900_000,
    ...options,
  });
  beforeLoad(r);
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

describe('changes told to followers', () => {
  const ids = (told: (readonly { id: string }[])[]) => told.map((devices) => devices.map((d) => d.id));

  it('tells each batch of readings, another node’s saves and a learned device, until unfollowed', async () => {
    const told: (readonly { id: string }[])[] = [];
    const r = await registry({ learnUnprovisioned: true }, (r) =>
      r.followChanges((devices) => told.push(devices)),
    );
    // The fleet files' devices, as loaded.
    expect(ids(told)).toEqual([['bin-1', 'bin-2']]);
    told.length = 0;
    r.recordReadings([
      reading('2026-11-22T17:00:00.000Z', 40),
      { ...reading('2026-11-22T17:00:00.000Z', 1), deviceId: 'nobody' },
    ]);
    r.recordReadings([]);
    expect(ids(told)).toEqual([['bin-1']]);
    told.length = 0;
    const bin2 = r.record('bin-2');
    r.takeSaved({
      devices: [
        { ...(bin2 as DeviceRecord), district: 'sever' },
        {
          id: 'bin-9',
          kind: 'wasteBin',
          gatewayId: 'gw-1',
          district: 'sever',
          provisioned: true,
          latest: {},
        },
      ],
      seen: [
        { id: 'bin-1', lastSeen: '2026-11-22T18:00:01.000Z', latest: {} },
        { id: 'nobody', latest: {} },
      ],
      gateways: [],
    });
    // The records changed in place; bin-9 is new, not changed.
    expect(ids(told)).toEqual([['bin-2', 'bin-1']]);
    expect(told[0]?.[0]).toBe(bin2);
    told.length = 0;
    expect(r.place('gw-1', { deviceId: 'bin-new', kind: 'wasteBin' })).toMatchObject({
      district: 'unassigned',
    });
    expect(ids(told)).toEqual([['bin-new']]);
    told.length = 0;
    r.takeSaved({ devices: [], seen: [], gateways: [] });
    expect(told).toEqual([]);
    const other: unknown[] = [];
    const unfollow = r.followChanges((devices) => other.push(devices));
    unfollow();
    r.recordReadings([reading('2026-11-22T17:00:01.000Z', 41)]);
    expect(ids(told)).toEqual([['bin-1']]);
    expect(other).toEqual([]);
  });
});
