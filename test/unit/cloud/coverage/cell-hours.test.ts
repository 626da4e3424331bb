import { latLngToCell } from 'h3-js';
import { describe, expect, it } from 'vitest';
import {
  bucketOf,
  cellInBox,
  cellQualities,
  type LinkSample,
} from '../../../../cloud/coverage/cell-hours.ts';
import { Coverage, coverageGeoJson } from '../../../../cloud/coverage/coverage.ts';

const h = 3_600_000;
const t0 = Date.parse('2026-11-29T23:00:00Z');
const a = latLngToCell(50.23, 12.87, 8);
const b = latLngToCell(50.2, 12.9, 8);
const sample = (start: number, cell: string, source: string, rsrp: number[], sinr: number[]): LinkSample => ({
  start,
  cell,
  source,
  rsrp: { sum: rsrp.reduce((x, y) => x + y, 0), count: rsrp.length },
  sinr: { sum: sinr.reduce((x, y) => x + y, 0), count: sinr.length },
});

describe('cellQualities', () => {
  const samples = [
    // Cell a, first hour: a camera (3 readings) and a gateway (1 heartbeat): means over all 4.
    sample(t0, a, 'device cam-1', [-100, -102, -104], [5, 6, 7]),
    sample(t0, a, 'gateway gw-1', [-90], [14]),
    // Cell a, second hour: only the gateway.
    sample(t0 + h, a, 'gateway gw-1', [-96], [20]),
    // Cell b, first hour: RSRP only (a source without SINR).
    sample(t0, b, 'device cam-2', [-118, -120], []),
  ];

  it('weighs each source by its measurements and counts them and the sources', () => {
    expect(cellQualities(samples, { from: new Date(t0), granularity: 'hour' }, 'both')).toEqual([
      { start: t0, cell: a, rsrp: -99, sinr: 8, readings: { rsrp: 4, sinr: 4 }, sources: 2, class: 'fair' },
      { start: t0, cell: b, rsrp: -119, readings: { rsrp: 2, sinr: 0 }, sources: 1, class: 'none' },
      {
        start: t0 + h,
        cell: a,
        rsrp: -96,
        sinr: 20,
        readings: { rsrp: 1, sinr: 1 },
        sources: 1,
        class: 'fair',
      },
    ]);
  });

  it('by the day, folds the hours of 24 h from `from` into one bucket', () => {
    const [first, second] = cellQualities(samples, { from: new Date(t0), granularity: 'day' }, 'sinr');
    expect(first).toEqual({
      start: t0,
      cell: a,
      rsrp: -98.4,
      sinr: 10.4,
      readings: { rsrp: 5, sinr: 5 },
      sources: 2,
      class: 'fair',
    });
    // Cell b has no SINR: judged on SINR, it is not listed.
    expect(second).toBeUndefined();
  });

  it('puts an hour in the day that holds it, counted from `from`', () => {
    const bucketing = { from: new Date(t0), granularity: 'day' as const };
    expect(bucketOf(t0 + 23 * h, bucketing)).toBe(t0);
    expect(bucketOf(t0 + 24 * h, bucketing)).toBe(t0 + 24 * h);
    expect(bucketOf(t0 + 5 * h, { ...bucketing, granularity: 'hour' })).toBe(t0 + 5 * h);
  });
});

describe('cellInBox', () => {
  it('takes the cell by its centre, and a box across the antimeridian', () => {
    expect(cellInBox(a, [12.8, 50.2, 12.95, 50.25])).toBe(true);
    expect(cellInBox(a, [12.9, 50.2, 12.95, 50.25])).toBe(false);
    expect(cellInBox(a, [170, 50, 12.95, 51])).toBe(true);
    expect(cellInBox(a, [170, 50, 12, 51])).toBe(false);
  });
});

describe('Coverage', () => {
  const reader = async () => [
    sample(t0, a, 'gateway gw-1', [-90], [14]),
    sample(t0, b, 'gateway gw-2', [-110], [1]),
  ];
  const request = {
    from: new Date(t0),
    to: new Date(t0 + h),
    granularity: 'hour' as const,
    metric: 'both' as const,
  };

  it('keeps the cells in the box and refuses more than its cap', async () => {
    const coverage = new Coverage({ samples: reader, maxCells: 2 });
    const all = await coverage.cells(request);
    expect('cells' in all && all.cells.map((c) => c.cell)).toEqual([a, b]);
    const boxed = await coverage.cells({ ...request, bbox: [12.8, 50.22, 12.95, 50.25] });
    expect('cells' in boxed && boxed.cells.map((c) => c.cell)).toEqual([a]);
    expect(await new Coverage({ samples: reader, maxCells: 1 }).cells(request)).toEqual({ tooMany: 2 });
  });

  it('answers hexagons with their figures, rounded, and the bucket they are for', async () => {
    const found = await new Coverage({ samples: reader, maxCells: 10 }).cells(request);
    const fc = coverageGeoJson('cells' in found ? found.cells : [], 'hour');
    expect(fc.features[0]).toMatchObject({
      id: `${a}@2026-11-29T23:00:00.000Z`,
      geometry: { type: 'Polygon' },
      properties: {
        cell: a,
        start: '2026-11-29T23:00:00.000Z',
        end: '2026-11-30T00:00:00.000Z',
        class: 'good',
        rsrp: -90,
        sinr: 14,
        readings: { rsrp: 1, sinr: 1 },
        sources: 1,
      },
    });
    const ring = fc.features[0]?.geometry.coordinates[0] ?? [];
    expect(ring).toHaveLength(7);
    expect(ring[0]).toEqual(ring.at(-1));
  });
});
