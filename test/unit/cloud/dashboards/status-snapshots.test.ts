import { pino } from 'pino';
import { describe, expect, it } from 'vitest';
import {
  type SnapshotOptions,
  StatusSnapshots,
  snapshotSlice,
} from '../../../../cloud/dashboards/status-snapshots.ts';
import { Counters } from '../../../../cloud/monitoring/counters.ts';
import type { DeviceRecord } from '../../../../cloud/registry/store.ts';

const at = new Date('2026-11-30T12:00:00.000Z');

/** `n` street lights, every third without a position; those with an even number heard from. */
function devices(n: number): DeviceRecord[] {
  return Array.from({ length: n }, (_, i) => ({
    id: `lamp-${i}`,
    kind: 'streetlight' as const,
    gatewayId: 'gw-1',
    district: 'centrum',
    provisioned: true,
    latest: {},
    ...(i % 3 === 2 ? {} : { location: { lat: 51, lon: 3.7 } }),
    ...(i % 2 === 0 ? { lastSeen: at.toISOString() } : {}),
  }));
}

function snapshotsOf(records: DeviceRecord[], written: string[][]) {
  return new StatusSnapshots({
    registry: {
      *records() {
        yield* records;
      },
      connectivity: () => (d) => (d.lastSeen === undefined ? 'offline' : 'online'),
    },
    points: { write: (lines) => void written.push(lines) },
    journal: { depth: 0 } as SnapshotOptions['journal'],
    counters: new Counters(),
    log: pino({ level: 'silent' }),
    now: () => at,
    mqttClients: () => 0,
    deviceEveryMs: 60_000,
    platformEveryMs: 60_000,
  });
}

describe('device status snapshots', () => {
  it('write every located device once, in slices, with its connectivity', async () => {
    const records = devices(3 * snapshotSlice + 5);
    const written: string[][] = [];
    await snapshotsOf(records, written).writeDevices();
    const located = records.filter((d) => d.location);
    expect(written.map((slice) => slice.length)).toEqual([
      snapshotSlice,
      snapshotSlice,
      located.length - 2 * snapshotSlice,
    ]);
    const lines = written.flat();
    expect(lines).toHaveLength(located.length);
    expect(lines[0]).toMatch(/^device_status,device=lamp-0,.*[ ,]online=1 /);
    expect(lines[1]).toMatch(/^device_status,device=lamp-1,.*[ ,]online=0 /);
    expect(lines.some((line) => line.includes('device=lamp-2,'))).toBe(false);
  });

  it('end early once stopped, and skip a snapshot asked while one is written', async () => {
    const written: string[][] = [];
    const snapshots = snapshotsOf(devices(3 * snapshotSlice), written);
    const first = snapshots.writeDevices();
    await snapshots.writeDevices();
    snapshots.stop();
    await first;
    expect(written).toHaveLength(1);
  });
});
