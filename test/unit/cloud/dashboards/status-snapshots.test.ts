import { pino } from 'pino';
import { describe, expect, it } from 'vitest';
import { StatusSnapshots } from '../../../../cloud/dashboards/status-snapshots.ts';
import { Counters } from '../../../../cloud/monitoring/counters.ts';
import type { DeviceRecord } from '../../../../cloud/registry/store.ts';
import type { Journal } from '../../../../cloud/storage/journal-contract.ts';

const at = new Date('2026-11-30T16:00:00.000Z');
const light = (id: string, placed = true): DeviceRecord => ({
  id,
  kind: 'streetlight',
  gatewayId: 'gw-1',
  district: 'centrum',
  provisioned: true,
  latest: {},
  location: placed ? { lat: 50.5, lon: 13.7 } : undefined,
  lastSeen: id === 'sl-1' ? at.toISOString() : undefined,
});

/** Snapshots of `devices`; each write's lines are kept, and runs of no time (a device per run) by default. */
function setUp(devices: DeviceRecord[], runMs = 0) {
  const writes: string[][] = [];
  const snapshots = new StatusSnapshots({
    registry: {
      *records() {
        yield* devices;
      },
      connectivity: () => (d) => (d.lastSeen ? 'online' : 'offline'),
    },
    journal: { depth: 0 } as Journal,
    points: { write: (lines) => void writes.push(lines) },
    counters: new Counters(),
    log: pino({ level: 'silent' }),
    now: () => at,
    mqttClients: () => 0,
    deviceEveryMs: 60_000,
    platformEveryMs: 10_000,
    runMs,
  });
  return { snapshots, writes };
}

describe('device status snapshots', () => {
  it('write every placed device once, at the time the snapshot began, with its connectivity', async () => {
    const { snapshots, writes } = setUp([light('sl-1'), light('sl-2', false), light('sl-3')], 1_000);
    await snapshots.writeDeviceStatus();
    expect(writes).toEqual([
      [
        `device_status,device=sl-1,district=centrum,gateway=gw-1,kind=streetlight healthy=1,lat=50.5,lon=13.7,online=1 ${at.getTime()}`,
        `device_status,device=sl-3,district=centrum,gateway=gw-1,kind=streetlight healthy=1,lat=50.5,lon=13.7,online=0 ${at.getTime()}`,
      ],
    ]);
  });

  it('write in runs with a turn of the event loop between them; one snapshot at a time; none after stop', async () => {
    const devices = Array.from({ length: 20 }, (_, i) => light(`sl-${i + 2}`));
    const { snapshots, writes } = setUp(devices);
    const events: string[] = [];
    setImmediate(() => events.push('event loop'));
    const writing = snapshots.writeDeviceStatus().then(() => events.push('written'));
    // Asked again while one is under way: nothing more is written.
    await snapshots.writeDeviceStatus();
    await writing;
    expect(events).toEqual(['event loop', 'written']);
    expect(writes.map((lines) => lines.length)).toEqual(devices.map(() => 1));
    expect(writes.flat().map((line) => /device=([^,]+)/.exec(line)?.[1])).toEqual(devices.map((d) => d.id));

    writes.length = 0;
    snapshots.start();
    const stopped = snapshots.writeDeviceStatus();
    snapshots.stop();
    await stopped;
    expect(writes).toHaveLength(1);
  });
});
