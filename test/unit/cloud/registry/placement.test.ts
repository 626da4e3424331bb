import { describe, expect, it } from 'vitest';
import { MemoryRegistryStore } from '../../../../cloud/registry/memory-store.ts';
import { DeviceRegistry } from '../../../../cloud/registry/registry.ts';
import type { FleetFile } from '../../../../shared/fleet.ts';

const now = () => new Date('2026-11-22T18:00:00.000Z');
const location = { lat: 50.55, lon: 13.75 };
const fleet: FleetFile = {
  city: { name: 'Bílina', timezone: 'Europe/Prague', location },
  gateways: [
    { id: 'gw-1', district: 'centrum', location },
    { id: 'gw-2', district: 'teplicke', location },
  ],
  devices: [{ id: 'cam-1', kind: 'camera', gatewayId: 'gw-1', district: 'centrum', location }],
};
/** What a hostile or faulty camera sends as its id: a MAC address. */
const mac = 'AB:CD:EF:12:34:56';

async function loadRegistry(options: { learnUnprovisioned?: boolean; store?: MemoryRegistryStore } = {}) {
  const store = options.store ?? new MemoryRegistryStore();
  const r = new DeviceRegistry({
    store,
    now,
    offlineAfterMs: 900_000,
    learnUnprovisioned: options.learnUnprovisioned,
  });
  await r.load([fleet]);
  return { registry: r, store };
}

describe('placing a reading or event', () => {
  it('places a provisioned device where the fleet files put it', async () => {
    const { registry } = await loadRegistry();
    expect(registry.place('gw-1', { deviceId: 'cam-1', kind: 'camera' })).toMatchObject({
      gatewayId: 'gw-1',
      district: 'centrum',
    });
  });

  it('refuses a device the fleet files do not list by default, keeping nothing of its id', async () => {
    const { registry, store } = await loadRegistry();
    const placement = registry.place('gw-1', { deviceId: mac, kind: 'camera' });
    expect(placement).toEqual({ reason: 'unknown-device', message: expect.any(String) });
    expect(JSON.stringify(placement)).not.toContain(mac);
    expect(registry.getDevice(mac)).toBeUndefined();
    expect(registry.size).toBe(1);
    await registry.written();
    expect(await store.getDevice(mac)).toBeUndefined();
  });

  it('refuses a device learned while learning was on, once it is off', async () => {
    const store = new MemoryRegistryStore();
    const learning = await loadRegistry({ learnUnprovisioned: true, store });
    learning.registry.place('gw-1', { deviceId: 'bin-9', kind: 'wasteBin' });
    await learning.registry.written();
    const { registry: strict } = await loadRegistry({ store });
    expect(strict.getDevice('bin-9')).toMatchObject({ provisioned: false });
    expect(strict.place('gw-1', { deviceId: 'bin-9', kind: 'wasteBin' })).toMatchObject({
      reason: 'unknown-device',
    });
  });

  it('refuses a device taken out of the fleet files, from the next start on', async () => {
    const store = new MemoryRegistryStore();
    await loadRegistry({ store });
    const withdrawn = new DeviceRegistry({ store, now, offlineAfterMs: 900_000 });
    await withdrawn.load([{ ...fleet, devices: [] }]);
    expect(withdrawn.getDevice('cam-1')).toMatchObject({ provisioned: false });
    expect(withdrawn.place('gw-1', { deviceId: 'cam-1', kind: 'camera' })).toMatchObject({
      reason: 'unknown-device',
    });
    expect(await store.getDevice('cam-1')).toMatchObject({ provisioned: false });
  });

  it('with learning on, learns an unknown device, owned by the gateway that reported it, unassigned', async () => {
    const { registry, store } = await loadRegistry({ learnUnprovisioned: true });
    expect(registry.place('gw-2', { deviceId: 'bin-9', kind: 'wasteBin' })).toMatchObject({
      gatewayId: 'gw-2',
      district: 'unassigned',
    });
    await registry.written();
    expect(await store.getDevice('bin-9')).toMatchObject({ gatewayId: 'gw-2', provisioned: false });
    expect(registry.place('gw-1', { deviceId: 'bin-9', kind: 'wasteBin' })).toMatchObject({
      reason: 'device-of-other-gateway',
    });
  });

  it.each([false, true])(
    'refuses a provisioned device of another kind or gateway (learning %s)',
    async (learn) => {
      const { registry } = await loadRegistry({ learnUnprovisioned: learn });
      expect(registry.place('gw-1', { deviceId: 'cam-1', kind: 'wasteBin' })).toMatchObject({
        reason: 'device-kind-mismatch',
      });
      expect(registry.place('gw-2', { deviceId: 'cam-1', kind: 'camera' })).toMatchObject({
        reason: 'device-of-other-gateway',
      });
    },
  );
});
