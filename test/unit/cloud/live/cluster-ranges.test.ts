import Supercluster from 'supercluster';
import { describe, expect, it } from 'vitest';
import type { Bbox } from '../../../../cloud/live/bbox.ts';
import { clusterOptions } from '../../../../cloud/live/cluster-index.ts';
import { ClusterRanges, pointsIn } from '../../../../cloud/live/cluster-ranges.ts';
import { createRandom } from '../../../../simulators/random.ts';

/** `n` points: most in a few dense spots of a city, some spread wide, some on the same spot. */
function points(n: number, seed: number) {
  const random = createRandom(seed);
  return Array.from({ length: n }, (_, i) => {
    const spot = i % 7;
    const spread = spot === 0 ? 0.5 : spot === 1 ? 0 : 0.01;
    return {
      type: 'Feature' as const,
      id: i,
      geometry: {
        type: 'Point' as const,
        coordinates: [
          3.72 + spot * 0.02 + (random.next() - 0.5) * spread,
          51.05 + (random.next() - 0.5) * spread,
        ],
      },
      properties: null as never,
    };
  });
}

describe('ClusterRanges', () => {
  for (const [n, seed] of [
    [0, 1],
    [1, 2],
    [300, 3],
    [5_000, 4],
  ] as const)
    it(`lays out every cluster's points as one range, at every zoom (${n} points)`, () => {
      const index = new Supercluster<never, never>(clusterOptions);
      index.load(points(n, seed));
      const ranges = new ClusterRanges(index);
      expect([...ranges.order].sort((a, b) => a - b)).toEqual(Array.from({ length: n }, (_, i) => i));
      let clusters = 0;
      for (let zoom = 0; zoom <= clusterOptions.maxZoom; zoom++)
        for (const found of index.getClusters([-180, -85, 180, 85], zoom)) {
          const props = found.properties as { cluster_id?: number; point_count: number } | null;
          if (props?.cluster_id === undefined) continue;
          clusters++;
          const start = ranges.startOf(props.cluster_id);
          const inRange = [...ranges.order.subarray(start, start + props.point_count)].sort((a, b) => a - b);
          const leaves = index
            .getLeaves(props.cluster_id, Number.POSITIVE_INFINITY)
            .map((f) => f.id as number);
          expect(inRange).toEqual(leaves.sort((a, b) => a - b));
        }
      if (n >= 300) expect(clusters).toBeGreaterThan(n / 10);
    });

  it('refuses an id no zoom made', () => {
    const index = new Supercluster<never, never>(clusterOptions);
    index.load(points(300, 5));
    expect(() => new ClusterRanges(index).startOf(300 + 5 * 32 + 31)).toThrow('no cluster');
  });
});

describe('pointsIn', () => {
  it('finds the points of a box as getClusters at the points’ zoom does, in its order', () => {
    const index = new Supercluster<never, never>(clusterOptions);
    index.load(points(5_000, 6));
    const random = createRandom(7);
    const boxes: Bbox[] = [
      [3.7, 51.04, 3.75, 51.06],
      [3.72, 51.05, 3.72, 51.05],
      [-180, -90, 180, 90],
      [170, 50, -170, 52],
      [3.5, 50, 363.5, 52],
      [3.7, 51.06, 3.75, 51.04],
    ];
    for (let i = 0; i < 200; i++) {
      const [lon, lat] = [3.6 + random.next() * 0.3, 50.95 + random.next() * 0.2];
      boxes.push([lon, lat, lon + random.next() * 0.1, lat + random.next() * 0.05]);
    }
    let found = 0;
    for (const box of boxes) {
      const expected = index.getClusters(box, clusterOptions.maxZoom + 1).map((f) => f.id);
      expect(pointsIn(index, box), JSON.stringify(box)).toEqual(expected);
      found += expected.length;
    }
    expect(found).toBeGreaterThan(10_000);
  });
});
