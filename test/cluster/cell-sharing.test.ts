import { randomUUID } from 'node:crypto';
import { connect } from 'nats';
import { describe, expect, it } from 'vitest';
import type { Alert } from '../../cloud/alerts/store.ts';
import { cellSharing } from '../../cloud/cluster/cell-sharing.ts';
import type { CommandRecord } from '../../cloud/commands/store.ts';
import { DeviceStates } from '../../cloud/live/device-states.ts';
import { EventBus, type LiveEvents } from '../../cloud/live/events.ts';
import { Counters } from '../../cloud/monitoring/counters.ts';
import { MemoryRegistryStore } from '../../cloud/registry/memory-store.ts';
import { DeviceRegistry } from '../../cloud/registry/registry.ts';
import { startOwnNats } from '../../scripts/cluster/nats-server.ts';
import type { Reading } from '../../shared/kinds/index.ts';
import { cleanupsAfterAll } from '../helpers/cleanups.ts';
import { silentLog } from '../helpers/cloud.ts';
import { waitFor } from '../helpers/wait.ts';

const cleanups = cleanupsAfterAll();

/**
 * One node's cell of a tenant as tenant-cell.ts wires it in cluster mode, without the rest: its
 * registry (learning on, in memory), its live bus, the map states on both, and their sharing on its
 * own NATS connection. Every live event its bus carries is recorded, as an SSE stream would send it.
 */
async function startCell(natsUrl: string, tenant: string) {
  const nc = await connect({ servers: natsUrl });
  cleanups.push(() => nc.close());
  const counters = new Counters();
  const sharing = cellSharing({
    connection: () => nc,
    prefix: 'city.gateways',
    tenant,
    origin: randomUUID(),
    log: silentLog,
    counters,
  });
  const store = new MemoryRegistryStore();
  const registry = new DeviceRegistry({
    store,
    now: () => new Date(),
    offlineAfterMs: 60_000,
    learnUnprovisioned: true,
    onSaved: sharing.registrySaved,
  });
  await registry.load([]);
  const bus = new EventBus<LiveEvents>((error) => {
    throw error;
  });
  const states = new DeviceStates({ registry, onChange: (id, state) => bus.emit('device', { id, state }) });
  bus.on('alert', ({ transition, alert }) => states.alertChanged(transition, alert));
  const seen: { event: keyof LiveEvents; data: unknown }[] = [];
  for (const event of ['alert', 'command', 'device'] as const)
    bus.on(event, (data) => void seen.push({ event, data }));
  const joined = sharing.joining({ registry, bus });
  await joined.start();
  cleanups.push(async () => joined.stop?.());
  return { registry, store, bus, states, seen, counters };
}

const reading = (deviceId: string, powerW: number): Reading =>
  ({ deviceId, kind: 'streetlight', ts: new Date().toISOString(), metrics: { powerW } }) as Reading;

describe("a tenant's cells on two nodes (real NATS)", () => {
  it('see each other’s live events and registry saves, once, and no other tenant’s', async () => {
    const nats = await startOwnNats();
    cleanups.push(() => nats.stop());
    const [a, b, other] = [
      await startCell(nats.url, 'brno'),
      await startCell(nats.url, 'brno'),
      await startCell(nats.url, 'plzen'),
    ];

    // A device learned and heard from on node A (its gateway is connected there): node B lists it
    // online with its latest values, without reading a store, and its map sweep says ok.
    a.registry.place('gw-1', { deviceId: 'sl-1', kind: 'streetlight' });
    a.registry.recordReadings([reading('sl-1', 42)]);
    a.registry.recordStatus({
      v: 1,
      gatewayId: 'gw-1',
      state: 'online',
      ts: new Date().toISOString(),
    } as never);
    await a.registry.flush();
    await waitFor('node B to take in the device', () => b.registry.getDevice('sl-1')?.latest.powerW === 42);
    expect(b.registry.getDevice('sl-1')).toMatchObject({ gatewayId: 'gw-1', status: 'online' });
    expect(b.registry.getGateway('gw-1')?.state).toBe('online');
    expect(await b.store.loadDevices()).toEqual([]);
    b.states.sweep();
    expect(b.states.stateOf('sl-1')).toBe('ok');

    // An alert raised on A reaches B's stream, and B's map state follows it; a command changed on B
    // reaches A's stream. Each node's own stream carries each event once (nothing echoes back).
    const alert = {
      id: 'al-1',
      ruleId: 'lamp-failure',
      ruleName: 'Lamp failure',
      severity: 'major',
      subject: { kind: 'device', id: 'sl-1' },
      state: 'firing',
      summary: 'lamp out',
      firedAt: new Date().toISOString(),
      lastMatchAt: new Date().toISOString(),
    } satisfies Alert;
    a.bus.emit('alert', { transition: 'fired', alert });
    const command: CommandRecord = {
      id: 'cmd-1',
      deviceId: 'sl-1',
      gatewayId: 'gw-1',
      kind: 'streetlight',
      command: { action: 'switch', on: true } as CommandRecord['command'],
      status: 'succeeded',
      createdAt: new Date().toISOString(),
      expiresAt: new Date(Date.now() + 60_000).toISOString(),
    };
    b.bus.emit('command', command);
    await waitFor('node B to show the alert', () => b.seen.some((e) => e.event === 'alert'));
    await waitFor('node A to show the command', () => a.seen.some((e) => e.event === 'command'));
    expect(b.seen).toEqual([
      { event: 'command', data: command },
      // The map state first: its listener was added before the recorder.
      { event: 'device', data: { id: 'sl-1', state: 'major' } },
      { event: 'alert', data: { transition: 'fired', alert } },
    ]);
    expect(a.seen.filter((e) => e.event !== 'device')).toEqual([
      { event: 'alert', data: { transition: 'fired', alert } },
      { event: 'command', data: command },
    ]);

    // Many devices heard from in one flush go out in a few messages, each within NATS's payload limit.
    const many = Array.from({ length: 5_000 }, (_, i) => `sl-${String(i).padStart(5, '0')}`);
    for (const id of many) a.registry.place('gw-2', { deviceId: id, kind: 'streetlight' });
    a.registry.recordReadings(many.map((id) => reading(id, 7)));
    await a.registry.flush();
    await waitFor('node B to take in every device', () =>
      many.every((id) => b.registry.getDevice(id)?.latest.powerW === 7),
    );
    expect(b.counters.get('registry_saves_malformed')).toBe(0);

    // What is not a list of valid items (another version, a stranger on the NATS) is counted and
    // skipped, item by item; a valid item beside it is taken.
    const stranger = await connect({ servers: nats.url });
    cleanups.push(() => stranger.close());
    stranger.publish('city.gateways.brno.live', 'not json');
    stranger.publish(
      'city.gateways.brno.live',
      JSON.stringify([
        { event: 'alert', data: {} },
        { event: 'command', data: command },
      ]),
    );
    await stranger.flush();
    await waitFor('the malformed ones counted', () => b.counters.get('live_events_malformed') === 2);
    await waitFor('the valid one taken', () => b.seen.filter((e) => e.event === 'command').length === 2);
    // The stranger's message goes to node A too, which may take it after B did.
    await waitFor('node A to take the valid one', () => a.counters.get('live_events_from_other_nodes') === 2);
    expect(b.counters.get('live_events_from_other_nodes')).toBe(2);
    expect(other.seen).toEqual([]);
    expect(other.registry.size).toBe(0);
  });
});
