import { describe, expect, it } from 'vitest';
import { MemoryRegistryStore } from '../../../../cloud/registry/memory-store.ts';
import { fitWithin, type OverQuota, type RegistryQuotas } from '../../../../cloud/registry/quota.ts';
import { DeviceRegistry } from '../../../../cloud/registry/registry.ts';
import type { FleetFile } from '../../../../shared/fleet.ts';
import type { Reading } from '../../../../shared/kinds/index.ts';

const now = () => new Date('2026-11-30T08:00:00.000Z');
const location = { lat: 50.23, lon: 12.87 };
const ids = (items: { id: string }[]) => items.map((i) => i.id);

/** Three gateways with one lamp each, in file order gw-1, gw-2, gw-3. */
const fleet: FleetFile = {
  city: { name: 'Karlovy Vary', timezone: 'Europe/Prague', location },
  gateways: ['gw-1', 'gw-2', 'gw-3'].map((id) => ({ id, district: 'centrum', location })),
  devices: [1, 2, 3].map((n) => ({
    id: `lamp-${n}`,
    kind: 'streetlight' as const,
    gatewayId: `gw-${n}`,
    district: 'centrum',
    location,
  })),
};

function registryWith(
  quotas: RegistryQuotas,
  options: { store?: MemoryRegistryStore; learnUnprovisioned?: boolean } = {},
) {
  const store = options.store ?? new MemoryRegistryStore();
  const reported: OverQuota[] = [];
  const limits = { ...quotas };
  const registry = new DeviceRegistry({
    store,
    now,
    offlineAfterMs: 900_000,
    learnUnprovisioned: options.learnUnprovisioned,
    quotas: () => limits,
    onOverQuota: (over) => reported.push(over),
  });
  return { registry, store, reported, limits };
}

describe('fitWithin', () => {
  const items = ['a', 'b', 'c'].map((id) => ({ id }));

  it('takes the first ones in order up to the quota, and counts the rest', () => {
    expect(fitWithin(items, 0, 2)).toEqual({ fitting: [{ id: 'a' }, { id: 'b' }], over: 1 });
    expect(fitWithin(items, 0, 3)).toEqual({ fitting: items, over: 0 });
    expect(fitWithin(items, 0, 0)).toEqual({ fitting: [], over: 3 });
  });

  it('counts the places already taken', () => {
    expect(fitWithin(items, 1, 3)).toEqual({ fitting: [{ id: 'a' }, { id: 'b' }], over: 1 });
    expect(fitWithin(items, 3, 3)).toEqual({ fitting: [], over: 3 });
  });

  it('gives a repeated id no second place, and counts a refused id once', () => {
    const repeated = [{ id: 'a' }, { id: 'a' }, { id: 'b' }, { id: 'c' }, { id: 'c' }];
    expect(fitWithin(repeated, 0, 2)).toEqual({ fitting: repeated.slice(0, 3), over: 1 });
    // Room for the distinct ids (counted one by one), or for every entry (taken as they are): all fit.
    expect(fitWithin(repeated, 0, 3)).toEqual({ fitting: repeated, over: 0 });
    expect(fitWithin(repeated, 1, 6)).toEqual({ fitting: repeated, over: 0 });
  });
});

describe('a registry within its quotas', () => {
  it('loads the fleet files whole when they hold exactly the quota, and reports nothing', async () => {
    const { registry, reported } = registryWith({ devices: 3, gateways: 3 });
    await registry.load([fleet]);
    expect(registry.size).toBe(3);
    expect(registry.gatewayCount).toBe(3);
    expect(reported).toEqual([]);
  });

  it('loads only the first devices and gateways in file order when the files hold one more', async () => {
    const { registry, reported } = registryWith({ devices: 2, gateways: 2 });
    await registry.load([fleet]);
    expect(ids(registry.findDevices({}))).toEqual(['lamp-1', 'lamp-2']);
    expect(ids(registry.listGateways())).toEqual(['gw-1', 'gw-2']);
    expect(reported).toEqual([
      { when: 'load', what: 'gateways', quota: 2, fleet: 1, earlier: 0 },
      { when: 'load', what: 'devices', quota: 2, fleet: 1, earlier: 0 },
    ]);
    expect(registry.place('gw-3', { deviceId: 'lamp-3', kind: 'streetlight' })).toMatchObject({
      reason: 'unknown-device',
    });
  });

  it('fills the room the fleet files leave with records kept from earlier, and leaves out the rest', async () => {
    const store = new MemoryRegistryStore();
    const learning = registryWith({ devices: 10, gateways: 10 }, { store, learnUnprovisioned: true });
    await learning.registry.load([fleet]);
    learning.registry.place('gw-1', { deviceId: 'bin-1', kind: 'wasteBin' });
    await learning.registry.written();

    const roomy = registryWith({ devices: 4, gateways: 3 }, { store });
    await roomy.registry.load([fleet]);
    expect(roomy.registry.getDevice('bin-1')).toMatchObject({ provisioned: false });
    expect(roomy.reported).toEqual([]);

    const full = registryWith({ devices: 3, gateways: 3 }, { store });
    await full.registry.load([fleet]);
    expect(full.registry.getDevice('bin-1')).toBeUndefined();
    expect(full.reported).toEqual([{ when: 'load', what: 'devices', quota: 3, fleet: 0, earlier: 1 }]);
    expect(await store.getDevice('bin-1')).toMatchObject({ id: 'bin-1' });
  });

  it('learns an unknown device while the registry holds fewer than the quota, then refuses with the reason', async () => {
    const { registry, reported } = registryWith({ devices: 4, gateways: 3 }, { learnUnprovisioned: true });
    await registry.load([fleet]);
    expect(registry.place('gw-1', { deviceId: 'bin-1', kind: 'wasteBin' })).toMatchObject({
      gatewayId: 'gw-1',
    });
    expect(registry.size).toBe(4);
    expect(registry.place('gw-1', { deviceId: 'bin-2', kind: 'wasteBin' })).toEqual({
      reason: 'device-over-quota',
      message: "device not learned: the tenant's registry holds its quota of 4 devices",
    });
    expect(registry.getDevice('bin-2')).toBeUndefined();
    expect(registry.size).toBe(4);
    expect(reported).toEqual([{ when: 'learn', what: 'devices', quota: 4 }]);
    // A device it holds is placed as before.
    expect(registry.place('gw-1', { deviceId: 'bin-1', kind: 'wasteBin' })).toMatchObject({
      gatewayId: 'gw-1',
    });
  });

  it('learns again as soon as the quota is raised', async () => {
    const { registry, limits } = registryWith({ devices: 3, gateways: 3 }, { learnUnprovisioned: true });
    await registry.load([fleet]);
    expect(registry.place('gw-1', { deviceId: 'bin-1', kind: 'wasteBin' })).toMatchObject({
      reason: 'device-over-quota',
    });
    limits.devices = 4;
    expect(registry.place('gw-1', { deviceId: 'bin-1', kind: 'wasteBin' })).toMatchObject({
      gatewayId: 'gw-1',
    });
  });

  it('admits what a load left out, in file order, when the quotas are raised; nothing when they are not', async () => {
    const store = new MemoryRegistryStore();
    const before = registryWith({ devices: 3, gateways: 3 }, { store });
    await before.registry.load([fleet]);
    const reading: Reading = {
      deviceId: 'lamp-3',
      kind: 'streetlight',
      ts: '2026-11-30T07:59:00.000Z',
      metrics: { on: true },
    } as Reading;
    before.registry.recordReadings([reading]);
    await before.registry.flush();

    const { registry, limits } = registryWith({ devices: 1, gateways: 1 }, { store });
    await registry.load([fleet]);
    const told: string[][] = [];
    registry.followChanges((devices) => told.push(devices.map((d) => d.id)));
    expect(await registry.admitWaiting()).toEqual({ gateways: 0, devices: 0 });
    limits.devices = 2;
    limits.gateways = 3;
    expect(await registry.admitWaiting()).toEqual({ gateways: 2, devices: 1 });
    // The admitted devices are told to followers (the map's kept features), nothing before.
    expect(told).toEqual([['lamp-2']]);
    expect(ids(registry.findDevices({}))).toEqual(['lamp-1', 'lamp-2']);
    expect(ids(registry.listGateways())).toEqual(['gw-1', 'gw-2', 'gw-3']);
    limits.devices = 5;
    expect(await registry.admitWaiting()).toEqual({ gateways: 0, devices: 1 });
    // Its history comes back with it, and it reports as a provisioned device again.
    expect(registry.getDevice('lamp-3')).toMatchObject({ provisioned: true, latest: { on: true } });
    expect(registry.place('gw-3', { deviceId: 'lamp-3', kind: 'streetlight' })).toMatchObject({
      district: 'centrum',
    });
    expect(registry.findDevices({ gatewayId: 'gw-3' })).toHaveLength(1);
    expect(await registry.admitWaiting()).toEqual({ gateways: 0, devices: 0 });
  });

  it('provisions a fleet device learned while it waited, without taking a second place', async () => {
    const { registry, limits } = registryWith({ devices: 2, gateways: 3 }, { learnUnprovisioned: true });
    await registry.load([fleet]);
    limits.devices = 3;
    expect(registry.place('gw-3', { deviceId: 'lamp-3', kind: 'streetlight' })).toMatchObject({
      district: 'unassigned',
    });
    expect(await registry.admitWaiting()).toEqual({ gateways: 0, devices: 1 });
    expect(registry.size).toBe(3);
    expect(registry.getDevice('lamp-3')).toMatchObject({ provisioned: true, district: 'centrum' });
    expect(registry.findDevices({ district: 'centrum' })).toHaveLength(3);
    expect(registry.findDevices({ district: 'unassigned' })).toHaveLength(0);
  });
});
