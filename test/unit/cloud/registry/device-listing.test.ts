import { describe, expect, it } from 'vitest';
import { byId, listPage } from '../../../../cloud/registry/device-listing.ts';
import type { DeviceFilter, DeviceRecord, DeviceSort, Page } from '../../../../cloud/registry/store.ts';

const device = (id: string, overrides: Partial<DeviceRecord> = {}): DeviceRecord => ({
  id,
  kind: 'streetlight',
  gatewayId: 'gw-a',
  district: 'centrum',
  provisioned: true,
  latest: {},
  ...overrides,
});

/** The registry's listing over these devices (its index hands them over sorted by id). */
const listOf = (devices: DeviceRecord[]) => {
  const sorted = [...devices].sort(byId);
  return { listDevices: (filter: DeviceFilter, page: Page) => listPage(sorted, filter, page) };
};

describe('device lists from memory', () => {
  it('filters, counts and pages devices in id order', async () => {
    const store = listOf([
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

  it('finds devices by text in their id or name, ignoring case', async () => {
    const store = listOf([
      device('lamp-1', { name: 'Korenmarkt' }),
      device('LAMP-2'),
      device('bin-1', { name: 'Lamp post bin' }),
      device('bin_2'),
      device('bin%3'),
    ]);
    const ids = async (text: string) =>
      store.listDevices({ text }, { limit: 10, offset: 0 }).items.map((d) => d.id);
    expect(await ids('lamp')).toEqual(['LAMP-2', 'bin-1', 'lamp-1']);
    expect(await ids('KOREN')).toEqual(['lamp-1']);
    // Wildcards of the query language are plain characters here.
    expect(await ids('_')).toEqual(['bin_2']);
    expect(await ids('%')).toEqual(['bin%3']);
  });

  it('sorts devices by id, kind, district or last seen (never-seen devices last either way)', async () => {
    const store = listOf([
      device('a', { kind: 'wasteBin', district: 'zuid', lastSeen: '2026-11-22T10:00:00.000Z' }),
      device('b', { kind: 'camera', district: 'noord' }),
      device('c', { district: 'noord', lastSeen: '2026-11-22T12:00:00.000Z' }),
      device('d', { kind: 'camera', lastSeen: '2026-11-22T11:00:00.000Z' }),
    ]);
    const ids = async (sort: DeviceSort) =>
      store.listDevices({}, { limit: 10, offset: 0, sort }).items.map((d) => d.id);
    expect(await ids('id')).toEqual(['a', 'b', 'c', 'd']);
    expect(await ids('-id')).toEqual(['d', 'c', 'b', 'a']);
    expect(await ids('kind')).toEqual(['b', 'd', 'c', 'a']);
    expect(await ids('district')).toEqual(['d', 'b', 'c', 'a']);
    expect(await ids('lastSeen')).toEqual(['a', 'd', 'c', 'b']);
    expect(await ids('-lastSeen')).toEqual(['c', 'd', 'a', 'b']);
  });

  it('keeps only the given ids, and walks backwards for -id', async () => {
    const store = listOf([device('a'), device('b'), device('c'), device('d')]);
    const page = await store.listDevices(
      { ids: new Set(['d', 'b', 'x']) },
      { limit: 1, offset: 0, sort: '-id' },
    );
    expect(page.total).toBe(2);
    expect(page.items.map((d) => d.id)).toEqual(['d']);
  });
});
