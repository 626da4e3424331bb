import { describe, expect, it } from 'vitest';
import type { DeviceRecord, DeviceSort, RegistryStore } from '../../cloud/registry/store.ts';

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

    it('filters, counts and pages devices in id order', async () => {
      const store = await createStore();
      await store.saveDevices([
        device('a', { lastSeen: '2026-11-22T12:00:00.000Z' }),
        device('b', { kind: 'camera', gatewayId: 'gw-b' }),
        device('c', { district: 'noord', lastSeen: '2026-11-22T08:00:00.000Z' }),
        device('d', { lastSeen: '2026-11-22T12:30:00.000Z' }),
      ]);
      const ids = (result: { items: DeviceRecord[] }) => result.items.map((d) => d.id);
      const all = { limit: 10, offset: 0 };
      expect(ids(await store.listDevices({ kind: 'streetlight' }, all))).toEqual(['a', 'c', 'd']);
      expect(ids(await store.listDevices({ gatewayId: 'gw-b' }, all))).toEqual(['b']);
      expect(ids(await store.listDevices({ district: 'noord' }, all))).toEqual(['c']);
      const since = '2026-11-22T11:00:00.000Z';
      expect(ids(await store.listDevices({ seen: 'online', seenSince: since }, all))).toEqual(['a', 'd']);
      expect(ids(await store.listDevices({ seen: 'offline', seenSince: since }, all))).toEqual(['b', 'c']);
      const page = await store.listDevices({}, { limit: 2, offset: 1 });
      expect(page.total).toBe(4);
      expect(ids(page)).toEqual(['b', 'c']);
    });

    it('finds devices by text in their id or name, ignoring case', async () => {
      const store = await createStore();
      await store.saveDevices([
        device('lamp-1', { name: 'Korenmarkt' }),
        device('LAMP-2'),
        device('bin-1', { name: 'Lamp post bin' }),
        device('bin_2'),
        device('bin%3'),
      ]);
      const ids = async (text: string) =>
        (await store.listDevices({ text }, { limit: 10, offset: 0 })).items.map((d) => d.id);
      expect(await ids('lamp')).toEqual(['LAMP-2', 'bin-1', 'lamp-1']);
      expect(await ids('KOREN')).toEqual(['lamp-1']);
      // Wildcards of the query language are plain characters here.
      expect(await ids('_')).toEqual(['bin_2']);
      expect(await ids('%')).toEqual(['bin%3']);
    });

    it('sorts devices by id, kind, district or last seen (never-seen devices last either way)', async () => {
      const store = await createStore();
      await store.saveDevices([
        device('a', { kind: 'wasteBin', district: 'zuid', lastSeen: '2026-11-22T10:00:00.000Z' }),
        device('b', { kind: 'camera', district: 'noord' }),
        device('c', { district: 'noord', lastSeen: '2026-11-22T12:00:00.000Z' }),
        device('d', { kind: 'camera', lastSeen: '2026-11-22T11:00:00.000Z' }),
      ]);
      const ids = async (sort: DeviceSort) =>
        (await store.listDevices({}, { limit: 10, offset: 0, sort })).items.map((d) => d.id);
      expect(await ids('id')).toEqual(['a', 'b', 'c', 'd']);
      expect(await ids('-id')).toEqual(['d', 'c', 'b', 'a']);
      expect(await ids('kind')).toEqual(['b', 'd', 'c', 'a']);
      expect(await ids('district')).toEqual(['d', 'b', 'c', 'a']);
      expect(await ids('lastSeen')).toEqual(['a', 'd', 'c', 'b']);
      expect(await ids('-lastSeen')).toEqual(['c', 'd', 'a', 'b']);
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
