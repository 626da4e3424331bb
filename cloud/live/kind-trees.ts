import KDBush from 'kdbush';
import type { Bbox } from './bbox.ts';
import type { LocatedDevices } from './cluster-index.ts';

interface KindTree {
  tree: KDBush;
  /** Each of the tree's items as a position in `LocatedDevices`. */
  at: Int32Array;
}

/**
 * Each kind's located devices in a k-d tree of their own (kdbush, in degrees as they are), made on
 * the first question about that kind: a box and a kind then visit only that kind's devices, where
 * the fleet's tree visits every device in the box (a district's box in a region holds some 100,000
 * of all kinds). 20 bytes per device of the kinds asked about.
 */
export class KindTrees {
  private readonly located: LocatedDevices;
  private readonly trees = new Map<number, KindTree>();

  constructor(located: LocatedDevices) {
    this.located = located;
  }

  /**
   * The positions (in `located`) of the devices of kind `kind` (its place in `located.kinds`) in the
   * box, edges included, across the antimeridian when the box crosses it.
   */
  within(kind: number, [west, south, east, north]: Bbox): number[] {
    const kept = this.treeOf(kind);
    if (kept === undefined) return [];
    const { tree, at } = kept;
    const found =
      west <= east
        ? tree.range(west, south, east, north)
        : [...tree.range(west, south, 180, north), ...tree.range(-180, south, east, north)];
    for (let k = 0; k < found.length; k++) found[k] = at[found[k] as number] as number;
    return found;
  }

  /** The kind's tree; undefined when no device is of that kind. */
  private treeOf(kind: number): KindTree | undefined {
    let kept = this.trees.get(kind);
    if (kept === undefined) {
      const { kindOf, lon, lat } = this.located;
      let n = 0;
      for (let p = 0; p < kindOf.length; p++) if (kindOf[p] === kind) n++;
      if (n === 0) return undefined;
      const tree = new KDBush(n);
      const at = new Int32Array(n);
      for (let p = 0; p < kindOf.length; p++)
        if (kindOf[p] === kind) at[tree.add(lon[p] as number, lat[p] as number)] = p;
      kept = { tree: tree.finish(), at };
      this.trees.set(kind, kept);
    }
    return kept;
  }
}
