import { describe, expect, it } from 'vitest';
import type { DeviceRecord, RegistryStore } from '../../cloud/registry/store.ts';

/**
 * The behaviour every RegistryStore must have (after aedes-persistence's abstract suite). A new
 * backend (PostgreSQL, say) calls this with a factory for empty stores.
 */
export function registryStoreConformance(
  name: string,
  createStore: () => RegistryStore | Promise<RegistryStore>,
) {
  const device = (id: string, overrides: Partial<DeviceRecord> = {}): DeviceRecord => ({
    id,
    kind: 'streetlight',
    gatewayId: 'gw-a',
    district: 'centrum',
    provisioned: true,
    latest: {},
    ...overrides,
  });

  describe(`RegistryStore conformance: ${name}`, () => {
    it('saves and loads devices with every field intact', async () => {
      const store = await createStore();
      const full = device('lamp 1,=x"ü', {
        location: { lat: 51.05, lon: 3.72 },
        name: 'Korenmarkt 1',
        firstSeen: '2026-11-22T10:00:00.000Z',
        lastSeen: '2026-11-22T11:00:00.000Z',
        latest: { activePower: 42.5, powerState: 'on', lidOpen: false },
        latestTs: '2026-11-22T10:59:00.000Z',
      });
      const bare = device('bin-2', { kind: 'wasteBin', provisioned: false });
      await store.saveDevices([full, bare]);
      expect((await store.loadDevices()).sort((a, b) => a.id.localeCompare(b.id))).toEqual([bare, full]);
      expect(await store.getDevice(full.id)).toEqual(full);
      expect(await store.getDevice('missing')).toBeUndefined();
    });

    it('overwrites a device on save', async () => {
      const store = await createStore();
      await store.saveDevices([device('lamp-1', { latest: { activePower: 1 } })]);
      await store.saveDevices([device('lamp-1', { latest: { activePower: 2 }, district: 'noord' })]);
      expect(await store.getDevice('lamp-1')).toMatchObject({
        latest: { activePower: 2 },
        district: 'noord',
      });
      expect(await store.loadDevices()).toHaveLength(1);
    });

    it('saves what was seen of a device (last seen, latest values); one not stored, whole', async () => {
      const store = await createStore();
      const stored = device('lamp-1', { district: 'noord', name: 'Brug 1', location: { lat: 51, lon: 3.7 } });
      await store.saveDevices([stored]);
      const heard = {
        ...stored,
        firstSeen: '2026-11-22T10:00:00.000Z',
        lastSeen: '2026-11-22T11:00:00.000Z',
        latest: { activePower: 42.5, powerState: 'on' },
        latestTs: '2026-11-22T10:59:00.000Z',
      };
      const unknown = device('bin-2', {
        kind: 'wasteBin',
        lastSeen: '2026-11-22T11:00:00.000Z',
        latest: { fill: 3 },
      });
      await store.saveSeen([heard, unknown]);
      expect(await store.getDevice('lamp-1')).toEqual(heard);
      expect(await store.getDevice('bin-2')).toEqual({
        ...unknown,
        firstSeen: undefined,
        latestTs: undefined,
      });
      expect(await store.loadDevices()).toHaveLength(2);
    });

    it('saves and loads gateways', async () => {
      const store = await createStore();
      await store.saveGateway({ id: 'gw-b', state: 'unknown' });
      await store.saveGateway({
        id: 'gw-a',
        district: 'centrum',
        location: { lat: 51, lon: 3.7 },
        state: 'online',
        stateSince: '2026-11-22T10:00:00.000Z',
        lastHeartbeat: '2026-11-22T10:01:00.000Z',
        health: { queueDepth: 3 },
        configStatus: { version: 2, status: 'applied', ts: '2026-11-22T10:02:00.000Z' },
      });
      await store.saveGateway({ id: 'gw-b', state: 'offline' });
      expect(await store.loadGateways()).toEqual([
        {
          id: 'gw-a',
          district: 'centrum',
          location: { lat: 51, lon: 3.7 },
          name: undefined,
          state: 'online',
          stateSince: '2026-11-22T10:00:00.000Z',
          lastHeartbeat: '2026-11-22T10:01:00.000Z',
          health: { queueDepth: 3 },
          configStatus: { version: 2, status: 'applied', ts: '2026-11-22T10:02:00.000Z' },
        },
        {
          id: 'gw-b',
          district: undefined,
          location: undefined,
          name: undefined,
          state: 'offline',
          stateSince: undefined,
          lastHeartbeat: undefined,
          health: undefined,
          configStatus: undefined,
        },
      ]);
    });
  });
}
