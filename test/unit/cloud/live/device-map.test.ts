import { pino } from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type Bbox, inBbox } from '../../../../cloud/live/bbox.ts';
import { liveFeature } from '../../../../cloud/live/feature.ts';
import { MemoryRegistryStore } from '../../../../cloud/registry/memory-store.ts';
import { DeviceRegistry } from '../../../../cloud/registry/registry.ts';
import { generateFleet } from '../../../../simulators/fleet.ts';
import { createRandom } from '../../../../simulators/random.ts';

/** The map's devices in a box, against every device checked one by one. */
const fleet = generateFleet({ seed: 41, devices: 3_000 });
let live: ReturnType<typeof liveFeature>;

beforeAll(async () => {
  const registry = new DeviceRegistry({
    store: new MemoryRegistryStore(),
    now: () => new Date(),
    offlineAfterMs: 900_000,
  });
  await registry.load([fleet]);
  live = liveFeature({ registry, log: pino({ level: 'silent' }), sweepMs: 60_000, openAlerts: () => [] });
  await live.start();
});

afterAll(() => live?.stop());

describe('the devices in a box', () => {
  it('are every device in it, edges included, however small the box, and no other', async () => {
    const random = createRandom(42);
    const located = fleet.devices.map((d) => d.location);
    const boxes: Bbox[] = [];
    for (let i = 0; i < 150; i++) {
      // Boxes whose edges run through devices' exact positions, from one device wide to a district's.
      const [a, b] = [located[random.int(0, located.length - 1)], located[random.int(0, located.length - 1)]];
      if (!a || !b) throw new Error('no device');
      const size = [0, 1e-5, 1e-4, 3e-4, 1e-3, 1e-2][i % 6] as number;
      boxes.push([
        Math.min(a.lon, b.lon),
        Math.min(a.lat, b.lat),
        Math.max(a.lon, b.lon),
        Math.max(a.lat, b.lat),
      ]);
      boxes.push([a.lon, a.lat, a.lon + size, a.lat + size]);
      boxes.push([a.lon - size, a.lat - size, a.lon, a.lat]);
    }
    let found = 0;
    for (const box of boxes) {
      const expected = fleet.devices
        .filter((d) => inBbox(box, d.location.lon, d.location.lat))
        .map((d) => d.id);
      const within = await live.map.within(box, {}, 5_000);
      expect(within.total, JSON.stringify(box)).toBe(expected.length);
      expect(within.devices.map((d) => d.id).sort(), JSON.stringify(box)).toEqual(expected.sort());
      found += expected.length;
    }
    expect(found).toBeGreaterThan(10_000);
  });

  it('stand alone past the last clustering zoom, every device in the box and no other, of a kind too', async () => {
    const random = createRandom(43);
    let found = 0;
    for (let i = 0; i < 60; i++) {
      const a = fleet.devices[random.int(0, fleet.devices.length - 1)]?.location as {
        lon: number;
        lat: number;
      };
      const size = [0, 1e-5, 1e-4, 1e-3, 5e-3][i % 5] as number;
      const box: Bbox = [a.lon, a.lat, a.lon + size, a.lat + size];
      for (const kind of [undefined, 'wasteBin'] as const) {
        const expected = fleet.devices
          .filter(
            (d) => inBbox(box, d.location.lon, d.location.lat) && (kind === undefined || d.kind === kind),
          )
          .map((d) => d.id)
          .sort();
        const answer = live.map.clusters(box, 17, { kind });
        const { features } = JSON.parse(Buffer.concat(answer.json()).toString()) as {
          features: { properties: { cluster: boolean; id: string } }[];
        };
        expect(features.every((f) => !f.properties.cluster)).toBe(true);
        expect(features.map((f) => f.properties.id).sort(), JSON.stringify({ box, kind })).toEqual(expected);
        found += expected.length;
      }
    }
    expect(found).toBeGreaterThan(500);
  });
});
