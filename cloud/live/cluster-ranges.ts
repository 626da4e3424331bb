import type Supercluster from 'supercluster';
import type { Bbox } from './bbox.ts';

/**
 * What of supercluster's index (version 9, pinned) the ranges are read from: per zoom a tree whose
 * `data` holds each point or cluster in 6 Int32 fields (x, y, zoom, id, parent id, count; no
 * `reduce` given), a zoom with no new cluster sharing the tree above it. A cluster's id encodes the
 * index of the entry it grew from (in the level above) and the zoom it was made at, plus 1.
 */
interface Internals {
  trees: ({ data: Int32Array; numItems: number; range(...box: number[]): number[] } | undefined)[];
  stride: number;
  numPoints: number;
  options: { minZoom: number; maxZoom: number };
}

const ID = 3;
const PARENT = 4;
const COUNT = 5;

/**
 * The devices of every cluster of a supercluster index as one range: `order` lists the points so
 * that each cluster's are contiguous, at every zoom at once (the clusters nest: a cluster is made of
 * clusters and points of the zoom above). Four bytes per point and per entry of each distinct level,
 * instead of a list of members per cluster per zoom (a region of a million devices).
 */
export class ClusterRanges {
  /** Point indexes, each cluster's contiguous. */
  readonly order: Int32Array;
  private readonly numPoints: number;
  /** By the zoom a cluster was made at + 1: the start of each cluster in `order`, by the index it grew from. */
  private readonly startByOrigin: (Int32Array | undefined)[];

  constructor(index: Supercluster<never, never>) {
    const { trees, stride, numPoints, options } = index as unknown as Internals;
    if (stride !== 6) throw new Error(`supercluster: unexpected layout (stride ${stride})`);
    this.numPoints = numPoints;
    // The distinct levels, points first, and the zoom each was made at (clusters' ids say zoom + 1).
    const levels: { data: Int32Array; n: number; madeAt: number }[] = [];
    for (let z = options.maxZoom + 1; z >= options.minZoom; z--) {
      const tree = trees[z];
      if (!tree) throw new Error(`supercluster: no tree at zoom ${z}`);
      if (levels.at(-1)?.data !== tree.data) levels.push({ data: tree.data, n: tree.numItems, madeAt: z });
    }
    // Where each entry of a level is in the next (lower) one: merged into a cluster, or carried as is.
    const next: Int32Array[] = [];
    for (let j = 0; j + 1 < levels.length; j++) {
      const { data, n } = levels[j] as (typeof levels)[number];
      const at = new Int32Array(n);
      let q = 0;
      for (let i = 0; i < n; i++) {
        const parent = data[i * stride + PARENT] as number;
        const origin = parent === -1 ? i : (parent - numPoints) >> 5;
        at[i] = origin === i ? q++ : (at[origin] as number);
      }
      if (q !== levels[j + 1]?.n) throw new Error(`supercluster: level ${j + 1} has an unexpected size`);
      next.push(at);
    }
    // Starts, from the lowest level up: each entry's range follows its siblings' within its parent's.
    let starts = new Int32Array(0);
    this.startByOrigin = [];
    for (let j = levels.length - 1; j >= 0; j--) {
      const { data, n } = levels[j] as (typeof levels)[number];
      const here = new Int32Array(n);
      if (j === levels.length - 1)
        for (let i = 0, s = 0; i < n; s += data[i * stride + COUNT] as number, i++) here[i] = s;
      else {
        const cursor = starts.slice();
        const at = next[j] as Int32Array;
        for (let i = 0; i < n; i++) {
          const p = at[i] as number;
          here[i] = cursor[p] as number;
          cursor[p] = (cursor[p] as number) + (data[i * stride + COUNT] as number);
        }
        // The clusters of level j + 1 grew from entries of this level: their starts by that entry.
        const byOrigin = new Int32Array(n);
        for (let i = 0; i < n; i++) byOrigin[i] = starts[at[i] as number] as number;
        this.startByOrigin[(levels[j + 1] as (typeof levels)[number]).madeAt + 1] = byOrigin;
      }
      starts = here;
    }
    this.order = new Int32Array(numPoints);
    const points = (levels[0] as (typeof levels)[number]).data;
    for (let i = 0; i < numPoints; i++) this.order[starts[i] as number] = points[i * stride + ID] as number;
  }

  /** Where a cluster's points start in `order` (they are `point_count` long). */
  startOf(clusterId: number): number {
    const encoded = clusterId - this.numPoints;
    const start = this.startByOrigin[encoded % 32]?.[encoded >> 5];
    if (start === undefined) throw new Error(`no cluster ${clusterId}`);
    return start;
  }
}

/** Supercluster's position encoding (spherical mercator in [0, 1], scaled into Int32), as its `getClusters` asks its trees. */
const encode = (c: number) => (c - 0.5) * 0x40000000;
const lngX = (lng: number) => lng / 360 + 0.5;
function latY(lat: number): number {
  const sin = Math.sin((lat * Math.PI) / 180);
  const y = 0.5 - (0.25 * Math.log((1 + sin) / (1 - sin))) / Math.PI;
  return Math.max(0, Math.min(y, 1));
}

/** The latitude where spherical mercator's y reaches 0 (and 1): beyond it supercluster clamps positions. */
const mercatorLimit = 85.0511;

/** A tree of supercluster's (kdbush 4): its positions in `coords` (x, y) and their indexes in `ids`, kd-sorted. */
interface Tree {
  ids: ArrayLike<number>;
  coords: Int32Array;
  nodeSize: number;
}

/**
 * The indexes of the points in a box, as `getClusters(box, maxZoom + 1)` finds them and in its order,
 * but asked of the points' tree directly: no feature (and no inverse projection) per point, which a
 * box of a district in a region (hundreds of thousands of devices) made per request. A box across
 * the antimeridian, or all the way round, is left to `getClusters`.
 *
 * Each point outside `inner` (a box within `bbox`, its edges farther in than supercluster's rounding
 * of positions; all of them without it) is given as `-(index + 1)`: one near the edges, which the
 * caller checks against its exact position. One inside it is in `bbox` as it is (a street's viewport:
 * all but a few, each check a memory load into the million devices' positions).
 */
export function pointsMarked(
  index: Supercluster<never, never>,
  bbox: Bbox,
  inner: Bbox | undefined,
): number[] {
  const { trees, options } = index as unknown as Internals;
  // Longitudes wrapped into -180..180 (east's 180 kept), as getClusters wraps them.
  // Stryker disable next-line ArithmeticOperator: 180 less wraps the same, modulo 360
  const minLng = ((((bbox[0] + 180) % 360) + 360) % 360) - 180;
  // Stryker disable next-line ArithmeticOperator,ConditionalExpression: 180 less wraps the same; east's 180 wrapped to -180 is left to getClusters, with the same answer
  const maxLng = bbox[2] === 180 ? 180 : ((((bbox[2] + 180) % 360) + 360) % 360) - 180;
  // Stryker disable next-line EqualityOperator: a box one longitude wide, left to getClusters, has the same answer
  if (bbox[2] - bbox[0] >= 360 || minLng > maxLng)
    return index.getClusters(bbox, options.maxZoom + 1).map((f) => -(f.id as number) - 1);
  const tree = trees[options.maxZoom + 1] as unknown as Tree | undefined;
  // Stryker disable next-line ConditionalExpression: a guard for supercluster's layout (version 9, pinned)
  if (!tree) throw new Error('supercluster: no tree of the points');
  // Encoded, a box's north is its smaller y.
  const outer = encoded(minLng, bbox[1], maxLng, bbox[3]);
  // Past mercator's latitudes positions are clamped: nothing is known to be inside there. (An inner
  // box turned inside out marks every point, as none is inside it.)
  const within =
    inner !== undefined &&
    // Stryker disable next-line EqualityOperator: at the limit itself positions are not clamped yet
    Math.abs(inner[1]) < mercatorLimit &&
    // Stryker disable next-line EqualityOperator: at the limit itself positions are not clamped yet
    Math.abs(inner[3]) < mercatorLimit
      ? encoded(...inner)
      : undefined;
  // At the points' level an entry's index is the point's.
  return rangeOf(tree, outer, within);
}

/** A box as supercluster's trees hold positions: [min x, min y, max x, max y]. */
function encoded(west: number, south: number, east: number, north: number): number[] {
  const clamp = (lat: number) => Math.max(-90, Math.min(90, lat));
  return [encode(lngX(west)), encode(latY(clamp(north))), encode(lngX(east)), encode(latY(clamp(south)))];
}

/**
 * kdbush's `range` (version 4, the same walk and so the same order) over `box`, each index outside
 * `inner` (all of them without it) marked as `-(index + 1)`.
 */
function rangeOf(tree: Tree, box: number[], inner: number[] | undefined): number[] {
  const { ids, coords, nodeSize } = tree;
  const [minX, minY, maxX, maxY] = box as [number, number, number, number];
  const [inMinX, inMinY, inMaxX, inMaxY] = (inner ?? [1, 1, 0, 0]) as [number, number, number, number];
  const result: number[] = [];
  const take = (i: number, x: number, y: number) => {
    // Stryker disable next-line EqualityOperator: positions are integers, a box's edges almost never
    if (x < minX || x > maxX || y < minY || y > maxY) return;
    const id = ids[i] as number;
    // Stryker disable next-line EqualityOperator: positions are integers, the inner box's edges almost never
    const near = x < inMinX || x > inMaxX || y < inMinY || y > inMaxY;
    result.push(near ? -id - 1 : id);
  };
  const stack = [0, ids.length - 1, 0];
  while (stack.length > 0) {
    const axis = stack.pop() as number;
    const right = stack.pop() as number;
    const left = stack.pop() as number;
    // Stryker disable next-line EqualityOperator: a leaf one entry smaller is walked the same
    if (right - left <= nodeSize) {
      for (let i = left; i <= right; i++) take(i, coords[2 * i] as number, coords[2 * i + 1] as number);
      continue;
    }
    const m = (left + right) >> 1;
    const x = coords[2 * m] as number;
    const y = coords[2 * m + 1] as number;
    take(m, x, y);
    // Halves the box does not reach are left: walked, they would add nothing (the same answer, slower).
    // Stryker disable next-line ConditionalExpression,EqualityOperator: the same answer, walked slower
    if (axis === 0 ? minX <= x : minY <= y) stack.push(left, m - 1, 1 - axis);
    // Stryker disable next-line ConditionalExpression,EqualityOperator: the same answer, walked slower
    if (axis === 0 ? maxX >= x : maxY >= y) stack.push(m + 1, right, 1 - axis);
  }
  return result;
}
