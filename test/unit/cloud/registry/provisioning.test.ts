import { describe, expect, it } from 'vitest';
import { MemoryRegistryStore } from '../../../../cloud/registry/memory-store.ts';
import { changesStored, layFleetOver, provisionedRecord } from '../../../../cloud/registry/provisioning.ts';
import { DeviceRegistry } from '../../../../cloud/registry/registry.ts';
import { SharedTexts } from '../../../../cloud/registry/shared-texts.ts';
import type { DeviceRecord } from '../../../../cloud/registry/store.ts';
import type { FleetDevice, FleetFile } from '../../../../shared/fleet.ts';

const location = { lat: 51.05, lon: 3.72 };
const lamp: FleetDevice = {
  id: 'lamp-1',
  kind: 'streetlight',
  gatewayId: 'gw-1',
  district: 'noord',
  location,
};
const stored: DeviceRecord = {
  ...lamp,
  location: { ...location },
  provisioned: true,
  lastSeen: '2026-11-30T08:00:00.000Z',
  latest: { lampOn: true },
};

describe('changesStored', () => {
  it('is false for a device stored as the fleet file says, whatever was seen of it', () => {
    expect(changesStored(stored, lamp)).toBe(false);
    expect(changesStored({ ...stored, name: undefined }, lamp)).toBe(false);
  });

  it('is true for a device not stored, or stored as not provisioned', () => {
    expect(changesStored(undefined, lamp)).toBe(true);
    expect(changesStored({ ...stored, provisioned: false }, lamp)).toBe(true);
  });

  it('is true when the file changes any of kind, gateway, district, name or position', () => {
    for (const changed of [
      { kind: 'wasteBin' as const },
      { gatewayId: 'gw-2' },
      { district: 'zuid' },
      { name: 'Korenmarkt' },
      { location: { lat: 51.05, lon: 3.7200001 } },
      { location: { lat: 51.0500001, lon: 3.72 } },
    ])
      expect(changesStored(stored, { ...lamp, ...changed }), JSON.stringify(changed)).toBe(true);
    expect(changesStored({ ...stored, location: undefined }, lamp)).toBe(true);
    expect(changesStored({ ...stored, name: 'old name' }, lamp)).toBe(true);
  });
});

describe('layFleetOver', () => {
  it('changes held records in place, sets new ones, withdraws those no longer listed, and returns what it changed', () => {
    const held = { ...stored, latest: { lampOn: true } };
    const gone: DeviceRecord = { ...stored, id: 'lamp-9', provisioned: true };
    const learned: DeviceRecord = { ...stored, id: 'lamp-8', provisioned: false };
    const devices = new Map([held, gone, learned].map((d) => [d.id, d]));
    const moved = { ...lamp, id: 'lamp-1', district: 'zuid' };
    const added = { ...lamp, id: 'lamp-2' };
    const changed = layFleetOver(devices, [moved, added], [gone, learned], new SharedTexts());
    // The held record itself, changed (its history kept); the new one set; the withdrawn one told.
    expect(devices.get('lamp-1')).toBe(held);
    expect(held).toMatchObject({ district: 'zuid', provisioned: true, latest: { lampOn: true } });
    expect(devices.get('lamp-2')).toMatchObject({ ...added, provisioned: true });
    expect(gone.provisioned).toBe(false);
    expect(learned.provisioned).toBe(false);
    expect(changed.map((d) => d.id)).toEqual(['lamp-1', 'lamp-2', 'lamp-9']);
    expect(changed[0]).toBe(held);
    // The same files again: nothing changed.
    expect(layFleetOver(devices, [moved, added], [], new SharedTexts())).toEqual([]);
    expect(devices.size).toBe(4);
  });
});

describe('loading the fleet files over the store', () => {
  const fleet = (devices: FleetDevice[]): FleetFile => ({
    city: { name: 'Gent', timezone: 'Europe/Brussels', location },
    gateways: [
      { id: 'gw-1', district: 'noord', location },
      { id: 'gw-2', district: 'noord', location },
    ],
    devices,
  });
  const bin: FleetDevice = { ...lamp, id: 'bin-1', kind: 'wasteBin' };

  async function load(store: MemoryRegistryStore, devices: FleetDevice[]) {
    const written: string[] = [];
    const save = store.saveDevices.bind(store);
    store.saveDevices = async (records) => {
      written.push(...records.map((d) => d.id));
      return save(records);
    };
    const registry = new DeviceRegistry({ store, now: () => new Date(), offlineAfterMs: 900_000 });
    await registry.load([fleet(devices)]);
    store.saveDevices = save;
    return { registry, written };
  }

  it('writes every device at the first start, only those the files changed at a restart, and keeps what was seen', async () => {
    const store = new MemoryRegistryStore();
    expect((await load(store, [lamp, bin])).written).toEqual(['lamp-1', 'bin-1']);
    await store.saveDevices([
      { ...(await store.getDevice('lamp-1')), lastSeen: stored.lastSeen } as DeviceRecord,
    ]);
    expect((await load(store, [lamp, bin])).written).toEqual([]);
    const moved = { ...bin, gatewayId: 'gw-2' };
    const { registry, written } = await load(store, [lamp, moved]);
    expect(written).toEqual(['bin-1']);
    expect(registry.getDevice('bin-1')).toMatchObject({ gatewayId: 'gw-2', provisioned: true });
    expect(await store.getDevice('bin-1')).toMatchObject({ gatewayId: 'gw-2' });
    expect(registry.getDevice('lamp-1')?.lastSeen).toBe(stored.lastSeen);
  });

  it('still writes a device taken out of the files as no longer provisioned', async () => {
    const store = new MemoryRegistryStore();
    await load(store, [lamp, bin]);
    expect((await load(store, [lamp])).written).toEqual(['bin-1']);
    expect(await store.getDevice('bin-1')).toMatchObject({ provisioned: false });
  });
});

describe('provisionedRecord', () => {
  // That equal texts are then one string cannot be seen from JavaScript (=== compares contents).
  it('lays the fleet entry over what was stored, provisioned', () => {
    const texts = new SharedTexts();
    // Texts as JSON.parse gives them: equal, not the same string.
    const copy = (text: string) => JSON.parse(JSON.stringify(text)) as string;
    const known: DeviceRecord = { ...stored, provisioned: false, name: 'kept', location: { lat: 1, lon: 2 } };
    const a = provisionedRecord({ ...lamp, gatewayId: copy('gw-1'), district: copy('noord') }, known, texts);
    const b = provisionedRecord({ ...lamp, id: 'lamp-2', gatewayId: copy('gw-1') }, undefined, texts);
    expect(a).toEqual({ ...stored, name: 'kept', provisioned: true });
    // The stored record itself, changed in place: a region's restart holds one record per device.
    expect(a).toBe(known);
    expect(b).toEqual({ ...lamp, id: 'lamp-2', latest: {}, provisioned: true });
  });
});
