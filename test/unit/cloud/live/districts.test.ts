import type { Polygon, Position } from 'geojson';
import { describe, expect, it } from 'vitest';
import type { LocatedDevices } from '../../../../cloud/live/cluster-index.ts';
import { districtOutlines } from '../../../../cloud/live/districts.ts';
import { type DistrictPoints, outlinesOf } from '../../../../cloud/live/outline.ts';
import type { DeviceRecord } from '../../../../cloud/registry/store.ts';

/** Located devices as the map index holds them: a record, a position and a slot each. */
function located(devices: { district: string; lon: number; lat: number }[]): LocatedDevices {
  return {
    records: devices.map(
      ({ district }, i): DeviceRecord => ({
        id: `d-${i}`,
        kind: 'streetlight',
        gatewayId: 'gw-1',
        district,
        provisioned: true,
        latest: {},
      }),
    ),
    lon: Float64Array.from(devices, (d) => d.lon),
    lat: Float64Array.from(devices, (d) => d.lat),
    slots: Int32Array.from(devices, (_, i) => i),
    kinds: ['streetlight'],
    kindOf: new Uint8Array(devices.length),
  };
}

/** Ray casting on the outer ring. */
function inside(polygon: Polygon, [x = 0, y = 0]: Position): boolean {
  const ring = polygon.coordinates[0] ?? [];
  let within = false;
  for (let i = 0, j = ring.length - 1; i < ring.length; j = i++) {
    const [xi = 0, yi = 0] = ring[i] ?? [];
    const [xj = 0, yj = 0] = ring[j] ?? [];
    if (yi > y !== yj > y && x < ((xj - xi) * (y - yi)) / (yj - yi) + xi) within = !within;
  }
  return within;
}

const grid = (district: string, lon: number, lat: number, n: number) =>
  Array.from({ length: n * n }, (_, i) => ({
    district,
    lon: lon + (i % n) * 0.002,
    lat: lat + Math.floor(i / n) * 0.002,
  }));

/** Made on this thread, without waiting for the event loop. */
const onThisThread = async (districts: DistrictPoints[]) => outlinesOf(districts);
const here = { make: onThisThread, pause: async () => undefined };

describe('districtOutlines', () => {
  const devices = [
    ...grid('Sever', 16.6, 49.25, 5),
    ...grid('Jih', 16.6, 49.15, 4),
    { district: 'Samota', lon: 16.7, lat: 49.2 },
    { district: 'Dvojice', lon: 16.5, lat: 49.2 },
    { district: 'Dvojice', lon: 16.505, lat: 49.2 },
  ];

  it('outlines each district around its devices and no other, sorted by name, with its count', async () => {
    const outlines = await districtOutlines(located(devices), here);
    expect(outlines.features.map((f) => [f.properties?.district, f.properties?.devices])).toEqual([
      ['Dvojice', 2],
      ['Jih', 16],
      ['Samota', 1],
      ['Sever', 25],
    ]);
    for (const feature of outlines.features) {
      const district = feature.properties?.district;
      for (const d of devices)
        expect(
          inside(feature.geometry, [d.lon, d.lat]),
          `${d.district} at ${d.lon},${d.lat} in ${district}`,
        ).toBe(d.district === district);
    }
  });

  it('gives the event loop a turn before each district and between runs of positions', async () => {
    const log: string[] = [];
    const pause = async () => {
      log.push('pause');
    };
    const outlines = await districtOutlines(located(devices), { make: onThisThread, pause });
    // Each district's outline after a pause of its own (the positions fit in one run here).
    expect(log.length).toBeGreaterThanOrEqual(outlines.features.length);
    let turns = 0;
    const ticking = setInterval(() => turns++, 0);
    await districtOutlines(located(grid('Velký', 16, 49, 300)), { make: onThisThread });
    clearInterval(ticking);
    expect(turns).toBeGreaterThan(0);
  });

  it('reaches 150 m beyond the outermost devices, no more and no less', async () => {
    // Devices on the grid's points (multiples of 0.0003°): the outline's extremes are theirs plus the margin.
    const onGrid = Array.from({ length: 12 }, (_, i) => ({
      district: 'Mřížka',
      lon: (55_000 + (i % 4) * 7) * 0.0003,
      lat: (164_000 + Math.floor(i / 4) * 5) * 0.0003,
    }));
    const [outline] = (await districtOutlines(located(onGrid), here)).features;
    const ring = outline?.geometry.coordinates[0] ?? [];
    const lons = ring.map(([lon = 0]) => lon);
    const lats = ring.map(([, lat = 0]) => lat);
    const degPerKm = 1 / ((6371.0088 * Math.PI) / 180);
    const dLat = 0.15 * degPerKm;
    const dLon = dLat / Math.cos((Math.min(...onGrid.map((d) => d.lat)) * Math.PI) / 180);
    const near = (value: number, expected: number) =>
      expect(Math.abs(value - expected)).toBeLessThan(0.00005);
    near(Math.min(...lons), Math.min(...onGrid.map((d) => d.lon)) - dLon);
    near(Math.max(...lons), Math.max(...onGrid.map((d) => d.lon)) + dLon);
    near(Math.min(...lats), Math.min(...onGrid.map((d) => d.lat)) - dLat);
    near(Math.max(...lats), Math.max(...onGrid.map((d) => d.lat)) + dLat);
  });

  it('covers the area between three devices or more (their hull), not only a band along them', async () => {
    // A triangle some 2 km across: its middle is a kilometre from any device and from the lines between them.
    const corners = [
      { district: 'Trojúhelník', lon: 16.6, lat: 49.2 },
      { district: 'Trojúhelník', lon: 16.63, lat: 49.2 },
      { district: 'Trojúhelník', lon: 16.615, lat: 49.218 },
    ];
    const [outline] = (await districtOutlines(located(corners), here)).features;
    if (!outline) throw new Error('no outline');
    expect(inside(outline.geometry, [16.615, 49.206])).toBe(true);
    // Two devices only: a capsule around the line between them, not the area beside it.
    const [pair] = (await districtOutlines(located(corners.slice(0, 2)), here)).features;
    if (!pair) throw new Error('no outline');
    expect(inside(pair.geometry, [16.615, 49.2])).toBe(true);
    expect(inside(pair.geometry, [16.615, 49.206])).toBe(false);
  });

  it('has no outline for no devices', async () => {
    expect(await districtOutlines(located([]), here)).toEqual({ type: 'FeatureCollection', features: [] });
  });

  it('are made the same by a thread of their own (the default)', async () => {
    const before = await districtOutlines(located(devices), here);
    const threaded = await districtOutlines(located(devices));
    expect(threaded).toEqual(before);
    expect(threaded.features).toHaveLength(4);
    expect(await districtOutlines(located([]))).toEqual({ type: 'FeatureCollection', features: [] });
  });

  it('hand the districts in name order to the maker, each its distinct grid points, flat', async () => {
    const seen: { district: string; devices: number; points: number[] }[] = [];
    await districtOutlines(
      located([
        { district: 'B', lon: 0.0003, lat: 0.0006 },
        { district: 'A', lon: 0.0009, lat: 0.0003 },
        { district: 'B', lon: 0.00031, lat: 0.00059 },
        { district: 'B', lon: -0.0003, lat: 0 },
      ]),
      {
        pause: async () => undefined,
        make: async (districts) => {
          for (const d of districts)
            seen.push({ district: d.district, devices: d.devices, points: [...d.points] });
          return [];
        },
      },
    );
    const rounded = (points: number[]) => points.map((p) => Math.round(p / 0.0003));
    expect(seen.map((d) => ({ ...d, points: rounded(d.points) }))).toEqual([
      { district: 'A', devices: 1, points: [3, 1] },
      { district: 'B', devices: 3, points: [1, 2, -1, 0] },
    ]);
  });
});
