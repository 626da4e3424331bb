import { describe, expect, it } from 'vitest';
import { DirtyMarker } from '../../../../cloud/rollups/dirty-marker.ts';
import { MemoryDirtyHourStore } from '../../../../cloud/rollups/memory-dirty-hours.ts';
import {
  budgetedSpan,
  pointsPerRequest,
  rollupPartialsQuery,
  timeChunks,
} from '../../../../cloud/rollups/reader.ts';
import {
  hoursToDayQuery,
  rawHoursQuery,
  rollupLine,
  toRollupPoints,
} from '../../../../cloud/rollups/rollup-queries.ts';
import { runsOf } from '../../../../cloud/rollups/rollup-task.ts';
import { gatewayLinkRollupSource, rawTags } from '../../../../cloud/rollups/sources.ts';

const hour = 3_600_000;

describe('runs of dirty hours', () => {
  it('cuts sorted hours into contiguous runs of at most a day', () => {
    expect(runsOf([5 * hour, hour, 2 * hour, 3 * hour])).toEqual([[hour, 2 * hour, 3 * hour], [5 * hour]]);
    const day = Array.from({ length: 30 }, (_, i) => i * hour);
    expect(runsOf(day).map((r) => r.length)).toEqual([24, 6]);
    // The gateways' links group by the tags their points carry, the zone among them.
    expect(rawHoursQuery(gatewayLinkRollupSource, 0, hour)).toContain(
      'FROM "gateway_link" WHERE time >= 0ms AND time < 3600000ms GROUP BY time(1h), "gateway", "district", "zone" fill(none)',
    );
    expect(gatewayLinkRollupSource.fields).toEqual(['rsrp', 'sinr', 'rsrq', 'latencyMs']);
  });
});

describe('the dirty marker', () => {
  it('writes an hour once until the task takes it, then again with a newer mark', async () => {
    const store = new MemoryDirtyHourStore();
    const marker = new DirtyMarker(store);
    const camera = { measurement: 'camera', hour };
    await marker.mark([camera]);
    const first = await store.dirty(10);
    await marker.mark([camera]);
    expect(await store.dirty(10)).toEqual(first);
    marker.taken(first);
    await marker.mark([camera]);
    await store.clear(first);
    expect((await store.dirty(10)).map((d) => d.hour)).toEqual([hour]);
  });
});

describe('rollup queries', () => {
  const source = { measurement: 'streetlight', fields: ['activePower'], tags: rawTags };

  it('reads raw partials per hour and device tags, and days from the hours', () => {
    expect(rawHoursQuery(source, 0, 2 * hour)).toBe(
      'SELECT sum("activePower") AS "activePower_sum", count("activePower") AS "activePower_count", ' +
        'min("activePower") AS "activePower_min", max("activePower") AS "activePower_max" FROM "streetlight" ' +
        'WHERE time >= 0ms AND time < 7200000ms GROUP BY time(1h), "device", "district", "gateway", "kind" fill(none)',
    );
    expect(hoursToDayQuery(source, 'rollups', 0, 24 * hour)).toContain(
      'sum("activePower_count") AS "activePower_count", min("activePower_min") AS "activePower_min"',
    );
    expect(hoursToDayQuery(source, 'rollups', 0, 24 * hour)).toContain(
      'FROM "rollups"."streetlight_1h" WHERE time >= 0ms AND time < 86400000ms GROUP BY "device", "district", "gateway", "kind", "zone"',
    );
  });

  it('keeps only fields with readings, and writes them as float fields with the zone tag', () => {
    const points = toRollupPoints(
      [
        {
          name: 'streetlight',
          tags: { device: 'a', district: '', gateway: 'g', kind: 'streetlight' },
          columns: ['time', 'activePower_sum', 'activePower_count', 'activePower_min', 'activePower_max'],
          values: [
            [hour, 6, 3, 1, 3],
            [2 * hour, null, 0, null, null],
          ],
        },
      ],
      ['activePower'],
    );
    expect(points).toEqual([
      {
        time: hour,
        tags: { device: 'a', district: '', gateway: 'g', kind: 'streetlight' },
        partials: { activePower: { sum: 6, count: 3, min: 1, max: 3 } },
      },
    ]);
    const line = rollupLine('streetlight_1h', {
      ...(points[0] as (typeof points)[number]),
      tags: { ...points[0]?.tags, zone: '881e' },
    });
    expect(line).toBe(
      'streetlight_1h,device=a,gateway=g,kind=streetlight,zone=881e activePower_count=3,activePower_max=3,activePower_min=1,activePower_sum=6 3600000',
    );
  });

  it('reads aggregates: sums of sums and counts, min of mins, max of maxes, only what the fn needs, grouped by the tag asked', () => {
    const query = {
      kind: 'streetlight',
      metric: 'activePower',
      fn: 'mean',
      granularity: 'hour',
      from: new Date(0),
      to: new Date(hour),
      by: 'zone',
      district: "O'Hara",
    } as const;
    expect(rollupPartialsQuery(query, 'rollups')).toBe(
      'SELECT sum("activePower_sum") AS "sum", sum("activePower_count") AS "count" ' +
        'FROM "rollups"."streetlight_1h" WHERE time >= 0ms AND time < 3600000ms AND "district" = \'O\\\'Hara\' ' +
        'GROUP BY time(1h), "zone" fill(none)',
    );
    expect(rollupPartialsQuery({ ...query, fn: 'min' }, 'rollups')).toContain(
      'SELECT min("activePower_min") AS "min", sum("activePower_count") AS "count" ',
    );
    expect(rollupPartialsQuery({ ...query, fn: 'max' }, 'rollups')).toContain(
      'SELECT max("activePower_max") AS "max", sum("activePower_count") AS "count" ',
    );
    expect(rollupPartialsQuery({ ...query, fn: 'count' }, 'rollups')).toContain(
      'SELECT sum("activePower_count") AS "count" FROM',
    );
    expect(rollupPartialsQuery(query, 'rollups', 6 * hour)).toContain('GROUP BY time(6h), "zone"');
    const days = rollupPartialsQuery({ ...query, granularity: 'day', by: 'all' }, 'rollups');
    expect(days).toContain('FROM "rollups"."streetlight_1d"');
    expect(days).toContain('GROUP BY time(12h) fill(none)');
    expect(() => rollupPartialsQuery({ ...query, metric: 'status' }, 'rollups')).toThrow(
      /not a numeric metric/,
    );
  });
});

describe('time chunks of a long read', () => {
  it('cuts a range at window boundaries into spans of at most the span rounded up to whole windows', () => {
    const day = 24 * hour;
    // A range that starts and ends inside 6-hour windows; a span of 10 hours is rounded up to 12.
    expect(timeChunks(hour, 2 * day + 5 * hour, 6 * hour, 10 * hour)).toEqual([
      [hour, 12 * hour],
      [12 * hour, day],
      [day, day + 12 * hour],
      [day + 12 * hour, 2 * day],
      [2 * day, 2 * day + 5 * hour],
    ]);
    // A span of exactly whole windows is kept; one shorter than a window is a window.
    expect(timeChunks(0, 4 * hour, hour, 2 * hour)).toEqual([
      [0, 2 * hour],
      [2 * hour, 4 * hour],
    ]);
    expect(timeChunks(0, 2 * hour, 2 * hour, 1)).toEqual([[0, 2 * hour]]);
    expect(timeChunks(0, 3 * hour, hour, Number.POSITIVE_INFINITY)).toEqual([[0, 3 * hour]]);
    expect(timeChunks(5, 5, hour, hour)).toEqual([]);
  });
});

describe('the span of one request, sized to the series it reads', () => {
  const month = 31 * 24 * hour;
  it('keeps the span when the series are unknown or few enough', () => {
    expect(budgetedSpan(month, hour, undefined)).toBe(month);
    expect(budgetedSpan(month, hour, 0)).toBe(month);
    // 2,000,000 / 744 hours: 2,688 series fit a month.
    expect(budgetedSpan(month, hour, 2_688)).toBe(month);
  });

  it('shortens it to whole units within the budget of points', () => {
    expect(budgetedSpan(month, hour, 2_689)).toBe(743 * hour);
    // A 10,000-device fleet's hours: 200 hours a request (a month was 7.4 M points).
    expect(budgetedSpan(month, hour, 10_000)).toBe(200 * hour);
    expect(budgetedSpan(month, 24 * hour, 100_000)).toBe(20 * 24 * hour);
    expect(budgetedSpan(month, hour, 3, 10)).toBe(3 * hour);
    expect(pointsPerRequest).toBe(2_000_000);
  });

  it('never goes below one unit, however many series', () => {
    expect(budgetedSpan(month, hour, pointsPerRequest)).toBe(hour);
    expect(budgetedSpan(month, hour, pointsPerRequest + 1)).toBe(hour);
    expect(budgetedSpan(month, hour, 10 * pointsPerRequest)).toBe(hour);
  });
});
