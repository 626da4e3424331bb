import { describe, expect, it } from 'vitest';
import { MemoryRegistryStore } from '../../../../cloud/registry/memory-store.ts';
import { DeviceRegistry } from '../../../../cloud/registry/registry.ts';
import {
  type RegistrySaves,
  takeNewerDevice,
  takeNewerGateway,
} from '../../../../cloud/registry/saved-elsewhere.ts';
import type { DeviceRecord, GatewayRecord } from '../../../../cloud/registry/store.ts';
import type { Reading } from '../../../../shared/kinds/index.ts';

const t = (s: number) => new Date(Date.UTC(2026, 10, 30, 10, 0, s)).toISOString();
const light = (over: Partial<DeviceRecord> = {}): DeviceRecord => ({
  id: 'sl-1',
  kind: 'streetlight',
  gatewayId: 'gw-1',
  district: 'centrum',
  provisioned: true,
  latest: {},
  ...over,
});

describe('what another node saved of a device, taken in', () => {
  it('takes what it saw where newer: last seen, latest values by reading time, the earliest first seen', () => {
    const local = light({ firstSeen: t(5), lastSeen: t(20), latest: { a: 1, b: 1 }, latestTs: t(19) });
    takeNewerDevice(local, light({ firstSeen: t(4), lastSeen: t(21), latest: { a: 2 }, latestTs: t(20) }));
    expect(local).toMatchObject({
      firstSeen: t(4),
      lastSeen: t(21),
      latest: { a: 2, b: 1 },
      latestTs: t(20),
    });
    // Older (or absent) than what is here: kept.
    takeNewerDevice(local, light({ firstSeen: t(6), lastSeen: t(10), latest: { a: 3 }, latestTs: t(9) }));
    takeNewerDevice(local, light({}));
    expect(local).toMatchObject({
      firstSeen: t(4),
      lastSeen: t(21),
      latest: { a: 2, b: 1 },
      latestTs: t(20),
    });
    // Values of the same reading time win, as recordReadings merges them; the same last seen stays.
    takeNewerDevice(local, light({ lastSeen: t(21), latest: { b: 5 }, latestTs: t(20) }));
    expect(local).toMatchObject({ lastSeen: t(21), latest: { a: 2, b: 5 } });
  });

  it('takes what the device is from the other node, and says when an indexed field changed', () => {
    const local = light({ name: 'old' });
    expect(takeNewerDevice(local, light({ name: 'new', provisioned: false }))).toBe(false);
    expect(local).toMatchObject({ name: 'new', provisioned: false });
    expect(takeNewerDevice(light(), light({ district: 'sever' }))).toBe(true);
    expect(takeNewerDevice(light(), light({ gatewayId: 'gw-2' }))).toBe(true);
    expect(takeNewerDevice(light(), light({ kind: 'wasteBin' }))).toBe(true);
  });
});

describe('what another node saved of a gateway, taken in', () => {
  const gateway = (over: Partial<GatewayRecord> = {}): GatewayRecord => ({
    id: 'gw-1',
    state: 'unknown',
    ...over,
  });

  it('takes each part where newer: state by its since, heartbeat, configuration status by its time', () => {
    const local = gateway({
      state: 'online',
      stateSince: t(10),
      lastHeartbeat: t(10),
      health: { queueDepth: 1 },
    });
    takeNewerGateway(
      local,
      gateway({
        name: 'Centre',
        state: 'offline',
        stateSince: t(11),
        lastHeartbeat: t(11),
        health: { queueDepth: 2 },
        configStatus: { version: 2, status: 'applied', ts: t(11) },
      }),
    );
    expect(local).toMatchObject({
      name: 'Centre',
      state: 'offline',
      stateSince: t(11),
      health: { queueDepth: 2 },
      configStatus: { version: 2 },
    });
    // The gateway moved here and said online later than the other node saw it go: kept.
    const moved = gateway({
      state: 'online',
      stateSince: t(12),
      lastHeartbeat: t(12),
      health: { queueDepth: 3 },
    });
    takeNewerGateway(
      moved,
      gateway({ state: 'offline', stateSince: t(12), lastHeartbeat: t(12), health: { queueDepth: 9 } }),
    );
    takeNewerGateway(moved, gateway({ configStatus: { version: 1, status: 'applied', ts: t(1) } }));
    expect(moved).toMatchObject({ state: 'online', health: { queueDepth: 3 }, configStatus: { version: 1 } });
    takeNewerGateway(moved, gateway({ configStatus: { version: 0, status: 'applied', ts: t(0) } }));
    expect(moved.configStatus?.version).toBe(1);
  });
});

describe('a registry in a cluster', () => {
  const now = () => new Date(t(30));
  const reading = (deviceId: string): Reading =>
    ({ deviceId, kind: 'streetlight', ts: t(29), metrics: { powerW: 40 } }) as Reading;

  it('tells what it saves while running, not its load, and takes in what another node saved', async () => {
    const told: RegistrySaves[] = [];
    const store = new MemoryRegistryStore();
    await store.saveDevices([light()]);
    const registry = new DeviceRegistry({
      store,
      now,
      offlineAfterMs: 60_000,
      learnUnprovisioned: true,
      onSaved: (saved) => told.push(saved),
    });
    await registry.load([]);
    expect(told).toEqual([]);
    registry.place('gw-1', { deviceId: 'sl-2', kind: 'streetlight' });
    registry.recordReadings([reading('sl-1')]);
    registry.recordStatus({ v: 1, gatewayId: 'gw-1', state: 'online', ts: t(30) } as never);
    await registry.flush();
    const ids = (list: readonly { id: string }[]) => list.map((x) => x.id);
    expect(told.map((s) => [ids(s.devices), ids(s.seen), ids(s.gateways)])).toEqual([
      [['sl-2'], [], []],
      [[], [], ['gw-1']],
      [[], ['sl-1'], []],
    ]);

    // The other node's saves: nothing written here (that node writes them), lists show them at once.
    const other = new MemoryRegistryStore();
    await other.saveDevices([light()]);
    const elsewhere = new DeviceRegistry({ store: other, now, offlineAfterMs: 60_000 });
    await elsewhere.load([]);
    await elsewhere.written();
    const writes: string[] = [];
    other.saveDevices = async (devices) => void writes.push(...devices.map((d) => d.id));
    other.saveSeen = async (devices) => void writes.push(...devices.map((d) => d.id));
    other.saveGateway = async (gateway) => void writes.push(gateway.id);
    for (const saved of told) elsewhere.takeSaved(JSON.parse(JSON.stringify(saved)));
    expect(elsewhere.getDevice('sl-1')).toMatchObject({ status: 'online', latest: { powerW: 40 } });
    expect(elsewhere.listDevices({ gatewayId: 'gw-1' }, { limit: 10, offset: 0 }).total).toBe(2);
    expect(elsewhere.getGateway('gw-1')?.state).toBe('online');
    // A device moved to another district is listed under it (the index follows).
    elsewhere.takeSaved({ devices: [light({ district: 'sever' })], seen: [], gateways: [] });
    expect(
      elsewhere.listDevices({ district: 'sever' }, { limit: 10, offset: 0 }).items.map((d) => d.id),
    ).toEqual(['sl-1']);
    expect(elsewhere.listDevices({ district: 'centrum' }, { limit: 10, offset: 0 }).total).toBe(0);
    // What was seen of a device unknown here is left: it comes with the device's record.
    elsewhere.takeSaved({ devices: [], seen: [{ id: 'sl-9', latest: {}, lastSeen: t(30) }], gateways: [] });
    expect(elsewhere.getDevice('sl-9')).toBeUndefined();
    await elsewhere.flush();
    expect(writes).toEqual([]);
  });
});
