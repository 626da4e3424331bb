import { describe, expect, it } from 'vitest';
import type { Bbox } from '../../../../cloud/live/bbox.ts';
import type { LocatedDevices } from '../../../../cloud/live/cluster-index.ts';
import { KindTrees, treeOfPoints } from '../../../../cloud/live/kind-trees.ts';

/** Longitudes of the grid: either side of the antimeridian (180 and -180 both), and of Greenwich. */
const longitudes = [-180, -179, -178, 177, 178, 179, 180, -1, 0, 1, 2, 3, 4];

/** Devices on a grid of whole degrees, kinds in turn. */
function grid(kinds: number): LocatedDevices {
  const lon: number[] = [];
  const lat: number[] = [];
  const kindOf: number[] = [];
  for (const x of longitudes)
    for (let y = -4; y <= 4; y++) {
      lon.push(x);
      lat.push(y);
      kindOf.push((lon.length - 1) % kinds);
    }
  return {
    records: [],
    lon: Float64Array.from(lon),
    lat: Float64Array.from(lat),
    slots: new Int32Array(lon.length),
    kinds: Array.from({ length: kinds }, (_, k) => `kind-${k}`),
    kindOf: Uint8Array.from(kindOf),
  };
}

/** The model: every position of the kind, checked one by one (edges included). */
function brute(located: LocatedDevices, kind: number, [west, south, east, north]: Bbox): number[] {
  const found: number[] = [];
  for (let p = 0; p < located.kindOf.length; p++) {
    const lon = located.lon[p] as number;
    const lat = located.lat[p] as number;
    const inLon = west <= east ? lon >= west && lon <= east : lon >= west || lon <= east;
    if (located.kindOf[p] === kind && lat >= south && lat <= north && inLon) found.push(p);
  }
  return found;
}

const sorted = (xs: number[]) => [...xs].sort((a, b) => a - b);

describe('kind trees', () => {
  const located = grid(3);

  it.each([
    ['a box, edges included', [1, -2, 3, 2], 15],
    ['a box of one point', [2, 1, 2, 1], 1],
    ['across the antimeridian', [177, -1, -178, 3], 35],
    ['the whole world', [-180, -90, 180, 90], 117],
    ['a box between points', [1.2, 0.2, 1.8, 0.8], 0],
    ['a box of nothing', [10, 10, 20, 20], 0],
  ] as [string, Bbox, number][])(
    'find the devices of a kind in %s, as a check of each would',
    async (_, box, all) => {
      // Trees of their own for each case: every case makes the trees it asks (here, not in a thread).
      const trees = new KindTrees(located, async (points) => treeOfPoints(points));
      let found = 0;
      for (let kind = 0; kind < 3; kind++) {
        const within = await trees.within(kind, box);
        expect(sorted(within)).toEqual(brute(located, kind, box));
        // Asked again: the kept tree answers the same.
        expect(sorted(await trees.within(kind, box))).toEqual(sorted(within));
        found += within.length;
      }
      expect(found).toBe(all);
    },
  );

  it('answer nothing for a kind no device is of', async () => {
    expect(await new KindTrees(located).within(3, [-180, -90, 180, 90])).toEqual([]);
  });

  it('are made by a thread of their own by default, each once, and asked again after a failure', async () => {
    const trees = new KindTrees(located);
    const box: Bbox = [1, -2, 3, 2];
    const [first, second] = await Promise.all([trees.within(1, box), trees.within(1, box)]);
    expect(sorted(first)).toEqual(brute(located, 1, box));
    expect(second).toEqual(first);
    let asked = 0;
    const failing = new KindTrees(located, async (points) => {
      if (asked++ === 0) throw new Error('no thread');
      return treeOfPoints(points);
    });
    await expect(failing.within(0, box)).rejects.toThrow('no thread');
    expect(sorted(await failing.within(0, box))).toEqual(brute(located, 0, box));
    expect(await failing.within(0, box)).toHaveLength(brute(located, 0, box).length);
    expect(asked).toBe(2);
  });
});
