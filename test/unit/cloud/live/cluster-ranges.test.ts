import Supercluster from 'supercluster';
import { describe, expect, it } from 'vitest';
import { type Bbox, inBbox, narrow, widen } from '../../../../cloud/live/bbox.ts';
import { clusterOptions } from '../../../../cloud/live/cluster-index.ts';
import { ClusterRanges, pointsMarked } from '../../../../cloud/live/cluster-ranges.ts';
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

/** Every point of the box, marks taken off (without an inner box, all are marked). */
const pointsIn = (index: Supercluster<never, never>, box: Bbox) =>
  pointsMarked(index, box, undefined).map((i) => (i < 0 ? -i - 1 : i));

describe('pointsMarked', () => {
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

  it('marks the points outside an inner box (all without one), each one inside it being in the box exactly', () => {
    const all = points(5_000, 8);
    const index = new Supercluster<never, never>(clusterOptions);
    index.load(all);
    const random = createRandom(9);
    const boxes: Bbox[] = [[3.7, 51.04, 3.75, 51.06]];
    for (let i = 0; i < 100; i++) {
      const [lon, lat] = [3.6 + random.next() * 0.3, 50.95 + random.next() * 0.2];
      boxes.push([lon, lat, lon + random.next() * 0.05, lat + random.next() * 0.03]);
    }
    const position = (i: number) => all[i]?.geometry.coordinates as [number, number];
    let inside = 0;
    let near = 0;
    for (const box of boxes)
      for (const margin of [1e-4, 3e-3]) {
        // As the map asks: the box widened finds every point in it, those outside the narrowed one marked.
        const [outer, inner] = [widen(box, margin), narrow(box, margin)];
        const marked = pointsMarked(index, outer, inner);
        // The same points in the same order, marked or not.
        expect(marked.map((i) => (i < 0 ? -i - 1 : i))).toEqual(pointsIn(index, outer));
        for (const i of marked) {
          const [lon, lat] = position(i < 0 ? -i - 1 : i);
          if (i >= 0) {
            inside++;
            expect(inner).toBeDefined();
            expect(inBbox(box, lon, lat), JSON.stringify({ box, lon, lat })).toBe(true);
          } else {
            near++;
            const deepInside = inner !== undefined && inBbox(narrow(inner, 1e-6) ?? inner, lon, lat);
            expect(deepInside, JSON.stringify({ box, inner, lon, lat })).toBe(false);
          }
        }
      }
    expect(inside).toBeGreaterThan(5_000);
    expect(near).toBeGreaterThan(100);
  });

  it('marks every point when the inner box is no box, across the antimeridian or beyond mercator’s latitudes', () => {
    const index = new Supercluster<never, never>(clusterOptions);
    index.load(points(300, 10));
    const box: Bbox = [3.5, 50.5, 4.5, 51.5];
    const found = pointsIn(index, box);
    expect(found.length).toBeGreaterThan(100);
    const everyMarked = found.map((i) => -i - 1);
    expect(pointsMarked(index, box, undefined).every((i) => i < 0)).toBe(true);
    expect(pointsMarked(index, box, [3.6, 50.6, 3.5, 51.4])).toEqual(everyMarked);
    expect(pointsMarked(index, box, [3.6, 51.4, 4.4, 50.6])).toEqual(everyMarked);
    expect(pointsMarked(index, box, [3.6, 50.6, 4.4, 85.06])).toEqual(everyMarked);
    expect(pointsMarked(index, box, [3.6, -85.06, 4.4, 51.4])).toEqual(everyMarked);
    expect(pointsMarked(index, box, [3.6, 50.6, 4.4, 85.05]).some((i) => i >= 0)).toBe(true);
    expect(pointsMarked(index, box, [3.6, -85.05, 4.4, 51.4]).some((i) => i >= 0)).toBe(true);
    const across: Bbox = [170, 50, -170, 52];
    expect(pointsMarked(index, [-180, -90, 180, 90], [3.6, 50.6, 4.4, 51.4]).every((i) => i < 0)).toBe(true);
    expect(pointsMarked(index, across, [3.6, 50.6, 4.4, 51.4])).toEqual([]);
  });

  it('finds the points of a box across the antimeridian as getClusters does, all of them marked', () => {
    const index = new Supercluster<never, never>(clusterOptions);
    const at = (lon: number, lat: number, id: number) => ({
      type: 'Feature' as const,
      id,
      geometry: { type: 'Point' as const, coordinates: [lon, lat] },
      properties: null as never,
    });
    index.load([at(179.5, 51, 0), at(-179.5, 51.01, 1), at(3.7, 51, 2), at(-179.9, 60, 3)]);
    const across: Bbox = [179, 50, -179, 52];
    expect(pointsIn(index, across).sort((a, b) => a - b)).toEqual([0, 1]);
    expect(pointsMarked(index, across, narrow(across, 1e-4)).sort((a, b) => a - b)).toEqual([-2, -1]);
    expect(pointsIn(index, [-180, -90, 180, 90]).sort((a, b) => a - b)).toEqual([0, 1, 2, 3]);
  });
});
