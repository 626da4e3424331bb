import { describe, expect, it } from 'vitest';
import type { DeviceRecord, RegistryStore } from '../../cloud/registry/store.ts';

/**
 * The behaviour every RegistryStore must have (after aedes-persistence's abstract suite). A new
 * backend (PostgreSQL, say) calls this with a factory for empty stores.
 */
export function registryStoreConformance(name: string, createStore: () => RegistryStore) {
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
    it('saves and loads devices with every field intact', () => {
      const store = createStore();
      const full = device('lamp 1,=x"ü', {
        location: { lat: 51.05, lon: 3.72 },
        name: 'Korenmarkt 1',
        firstSeen: '2026-11-22T10:00:00.000Z',
        lastSeen: '2026-11-22T11:00:00.000Z',
        latest: { activePower: 42.5, powerState: 'on', lidOpen: false },
        latestTs: '2026-11-22T10:59:00.000Z',
      });
      const bare = device('bin-2', { kind: 'wasteBin', provisioned: false });
      store.saveDevices([full, bare]);
      expect(store.loadDevices().sort((a, b) => a.id.localeCompare(b.id))).toEqual([bare, full]);
      expect(store.getDevice(full.id)).toEqual(full);
      expect(store.getDevice('missing')).toBeUndefined();
    });

    it('overwrites a device on save', () => {
      const store = createStore();
      store.saveDevices([device('lamp-1', { latest: { activePower: 1 } })]);
      store.saveDevices([device('lamp-1', { latest: { activePower: 2 }, district: 'noord' })]);
      expect(store.getDevice('lamp-1')).toMatchObject({ latest: { activePower: 2 }, district: 'noord' });
      expect(store.loadDevices()).toHaveLength(1);
    });

    it('filters, counts and pages devices in id order', () => {
      const store = createStore();
      store.saveDevices([
        device('a', { lastSeen: '2026-11-22T12:00:00.000Z' }),
        device('b', { kind: 'camera', gatewayId: 'gw-b' }),
        device('c', { district: 'noord', lastSeen: '2026-11-22T08:00:00.000Z' }),
        device('d', { lastSeen: '2026-11-22T12:30:00.000Z' }),
      ]);
      const ids = (result: { items: DeviceRecord[] }) => result.items.map((d) => d.id);
      const all = { limit: 10, offset: 0 };
      expect(ids(store.listDevices({ kind: 'streetlight' }, all))).toEqual(['a', 'c', 'd']);
      expect(ids(store.listDevices({ gatewayId: 'gw-b' }, all))).toEqual(['b']);
      expect(ids(store.listDevices({ district: 'noord' }, all))).toEqual(['c']);
      const since = '2026-11-22T11:00:00.000Z';
      expect(ids(store.listDevices({ seen: 'online', seenSince: since }, all))).toEqual(['a', 'd']);
      expect(ids(store.listDevices({ seen: 'offline', seenSince: since }, all))).toEqual(['b', 'c']);
      const page = store.listDevices({}, { limit: 2, offset: 1 });
      expect(page.total).toBe(4);
      expect(ids(page)).toEqual(['b', 'c']);
    });

    it('saves and loads gateways', () => {
      const store = createStore();
      store.saveGateway({ id: 'gw-b', state: 'unknown' });
      store.saveGateway({
        id: 'gw-a',
        district: 'centrum',
        location: { lat: 51, lon: 3.7 },
        state: 'online',
        stateSince: '2026-11-22T10:00:00.000Z',
        lastHeartbeat: '2026-11-22T10:01:00.000Z',
        health: { queueDepth: 3 },
        configStatus: { version: 2, status: 'applied', ts: '2026-11-22T10:02:00.000Z' },
      });
      store.saveGateway({ id: 'gw-b', state: 'offline' });
      expect(store.loadGateways()).toEqual([
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
