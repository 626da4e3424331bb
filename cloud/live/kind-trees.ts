import KDBush from 'kdbush';
import { askThread } from '../lifecycle/answer-thread.ts';
import type { Bbox } from './bbox.ts';
import type { LocatedDevices } from './cluster-index.ts';

interface KindTree {
  tree: KDBush;
  /** Each of the tree's items as a position in `LocatedDevices`. */
  at: Int32Array;
}

/** The k-d tree (kdbush, its bytes) of points given as longitude, latitude pairs, item k the k-th pair. */
export function treeOfPoints(points: Float64Array): ArrayBuffer {
  const tree = new KDBush(points.length / 2);
  for (let k = 0; k < points.length; k += 2) tree.add(points[k] as number, points[k + 1] as number);
  return tree.finish().data as ArrayBuffer;
}

/** Makes a kind's tree from its points (`treeOfPoints`); the points may be handed over. */
export type KindTreeMaker = (points: Float64Array) => Promise<ArrayBuffer>;

/**
 * A kind's tree made by a thread of its own (kind-tree-worker.ts): sorting a region's 250,000 bins
 * is ~400 ms of CPU, which held every answer and the ingest when the first `/map` of that kind made
 * it on the main thread.
 */
export const treeInThread: KindTreeMaker = (points) =>
  // Stryker disable next-line ArrayDeclaration: the points handed over or copied make the same tree
  askThread(new URL('./kind-tree-worker.ts', import.meta.url), 'kind tree', points, [
    points.buffer as ArrayBuffer,
  ]);

/**
 * Each kind's located devices in a k-d tree of their own (kdbush, in degrees as they are), made on
 * the first question about that kind (by `make`, a thread of its own by default): a box and a kind
 * then visit only that kind's devices, where the fleet's tree visits every device in the box (a
 * district's box in a region holds some 100,000 of all kinds). 20 bytes per device of the kinds asked
 * about. A tree that could not be made is not kept: the next question tries again.
 */
export class KindTrees {
  private readonly located: LocatedDevices;
  private readonly make: KindTreeMaker;
  private readonly trees = new Map<number, Promise<KindTree | undefined>>();

  constructor(located: LocatedDevices, make: KindTreeMaker = treeInThread) {
    this.located = located;
    this.make = make;
  }

  /**
   * The positions (in `located`) of the devices of kind `kind` (its place in `located.kinds`) in the
   * box, edges included, across the antimeridian when the box crosses it.
   */
  async within(kind: number, [west, south, east, north]: Bbox): Promise<number[]> {
    const kept = await this.treeOf(kind);
    if (kept === undefined) return [];
    const { tree, at } = kept;
    const found =
      west <= east
        ? tree.range(west, south, east, north)
        : [...tree.range(west, south, 180, north), ...tree.range(-180, south, east, north)];
    for (let k = 0; k < found.length; k++) found[k] = at[found[k] as number] as number;
    return found;
  }

  /** The kind's tree, once made; undefined when no device is of that kind. */
  private treeOf(kind: number): Promise<KindTree | undefined> {
    let kept = this.trees.get(kind);
    if (kept === undefined) {
      kept = this.made(kind);
      this.trees.set(kind, kept);
      // Asked again only after this has run: it was registered before any caller's await.
      kept.catch(() => this.trees.delete(kind));
    }
    return kept;
  }

  private async made(kind: number): Promise<KindTree | undefined> {
    const { kindOf, lon, lat } = this.located;
    let n = 0;
    // Stryker disable next-line EqualityOperator: one past the end is undefined, of no kind
    for (let p = 0; p < kindOf.length; p++) if (kindOf[p] === kind) n++;
    // Stryker disable next-line ConditionalExpression: a shortcut (no thread); a tree of no points finds nothing either
    if (n === 0) return undefined;
    const points = new Float64Array(2 * n);
    const at = new Int32Array(n);
    // Stryker disable next-line EqualityOperator: one past the end is undefined, of no kind
    for (let p = 0, k = 0; p < kindOf.length; p++)
      if (kindOf[p] === kind) {
        points[2 * k] = lon[p] as number;
        points[2 * k + 1] = lat[p] as number;
        at[k++] = p;
      }
    return { tree: KDBush.from(await this.make(points)), at };
  }
}
