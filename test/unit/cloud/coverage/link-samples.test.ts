import { latLngToCell } from 'h3-js';
import { describe, expect, it } from 'vitest';
import {
  bucketClause,
  hourlyRollupTable,
  linkKinds,
  linkQuery,
  rawTable,
  samplesOf,
} from '../../../../cloud/coverage/link-samples.ts';
import { gatewayLinkPoint } from '../../../../cloud/ingest/points.ts';
import { toLine } from '../../../../cloud/storage/point-writer.ts';
import { validHeartbeat } from '../../fixtures.ts';

const range = {
  from: new Date('2026-11-30T00:00:00Z'),
  to: new Date('2026-11-30T02:00:00Z'),
  granularity: 'hour' as const,
};

describe('the link samples read from InfluxDB', () => {
  it('asks sums and counts per hour and tag, on the range, quoting what it names', () => {
    expect(linkQuery(rawTable('gateway_link'), 'rsrp', 'sinr', range, ['zone', 'gateway'])).toBe(
      'SELECT SUM("rsrp") AS "rsrpSum", COUNT("rsrp") AS "rsrpCount", SUM("sinr") AS "sinrSum", COUNT("sinr") AS "sinrCount" ' +
        'FROM "gateway_link" WHERE time >= 1795996800000ms AND time < 1796004000000ms ' +
        'GROUP BY time(1h), "zone", "gateway" fill(none)',
    );
  });

  it("reads the gateways' hourly rollups as sums of their sums and counts", () => {
    expect(
      linkQuery(hourlyRollupTable('gateway_link'), 'rsrp', 'sinr', { ...range, granularity: 'day' }, [
        'zone',
      ]),
    ).toBe(
      'SELECT SUM("rsrp_sum") AS "rsrpSum", SUM("rsrp_count") AS "rsrpCount", SUM("sinr_sum") AS "sinrSum", SUM("sinr_count") AS "sinrCount" ' +
        'FROM "rollups"."gateway_link_1h" WHERE time >= 1795996800000ms AND time < 1796004000000ms ' +
        'GROUP BY time(1d), "zone" fill(none)',
    );
  });

  it('reads days in InfluxDB, starting at the time of day of `from`', () => {
    expect(bucketClause({ ...range, granularity: 'day' })).toBe('time(1d)');
    expect(bucketClause({ ...range, from: new Date('2026-11-29T23:00:00Z'), granularity: 'day' })).toBe(
      'time(1d, 82800000ms)',
    );
    expect(bucketClause({ ...range, from: new Date('2026-11-29T23:00:00Z') })).toBe('time(1h)');
  });

  it('reads the kinds that declare their link from the kinds themselves', () => {
    expect(linkKinds.length).toBeGreaterThan(0);
    for (const k of linkKinds)
      expect(k).toEqual({ kind: expect.any(String), rsrp: expect.any(String), sinr: expect.any(String) });
  });

  it('turns series into samples, a missing SUM or COUNT as none, skipping what has no place', () => {
    const series = [
      {
        name: 'gateway_link',
        tags: { zone: 'z1', gateway: 'gw-1' },
        columns: ['time', 'rsrpSum', 'rsrpCount', 'sinrSum', 'sinrCount'],
        values: [
          [1764460800000, -190, 2, null, 0],
          [1764464400000, -95, 1, 12, 1],
        ],
      },
      {
        name: 'gateway_link',
        tags: { zone: '', gateway: 'gw-2' },
        columns: ['time', 'rsrpSum'],
        values: [[0, -1]],
      },
    ];
    const samples = samplesOf(series, ({ zone, gateway }) =>
      zone ? { cell: zone, source: `gateway ${gateway}` } : undefined,
    );
    expect(samples).toEqual([
      {
        start: 1764460800000,
        cell: 'z1',
        source: 'gateway gw-1',
        rsrp: { sum: -190, count: 2 },
        sinr: { sum: 0, count: 0 },
      },
      {
        start: 1764464400000,
        cell: 'z1',
        source: 'gateway gw-1',
        rsrp: { sum: -95, count: 1 },
        sinr: { sum: 12, count: 1 },
      },
    ]);
  });
});

describe('gatewayLinkPoint', () => {
  const at = new Date('2026-11-30T10:15:00Z');
  const uplink = {
    technology: 'lte' as const,
    rsrp: -101.5,
    sinr: 3.2,
    rsrq: -12,
    latencyMs: 41,
    operator: '230-01',
  };

  it('is none without an uplink in the heartbeat', () => {
    expect(gatewayLinkPoint(validHeartbeat as never, undefined, at)).toBeUndefined();
  });

  it("tags the gateway's district and the cell of its place, stamped when received", () => {
    const gateway = { district: 'centrum', location: { lat: 50.23, lon: 12.87 } };
    const line = toLine(gatewayLinkPoint({ ...validHeartbeat, uplink } as never, gateway, at) as never);
    expect(line).toBe(
      `gateway_link,district=centrum,gateway=${validHeartbeat.gatewayId},operator=230-01,technology=lte,zone=${latLngToCell(50.23, 12.87, 8)} ` +
        `latencyMs=41,rsrp=-101.5,rsrq=-12,sinr=3.2 ${at.getTime()}`,
    );
  });

  it('has no zone for a gateway without a known place', () => {
    const line = toLine(gatewayLinkPoint({ ...validHeartbeat, uplink } as never, undefined, at) as never);
    expect(line).not.toContain('zone=');
    expect(line).not.toContain('district=');
  });
});
