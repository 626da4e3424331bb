import { mapStates } from './map-state.ts';

/** Positions per block of counts: a range is counted by its blocks, walking at most two part-blocks. */
export const tallyBlock = 64;

const stateCount = mapStates.length;

/**
 * Runs of more whole blocks than this are counted from a Fenwick tree over the blocks (log₂ of the
 * blocks' number of steps per group and state) rather than block by block: a city's clusters at
 * zoom 10 in a region are ~17,000 devices, 265 blocks each.
 */
export const treeFromBlocks = 8;

/**
 * The devices' states counted over runs of a list of slots (a cluster index's order, where every
 * cluster is a run), without walking each run: per block of `tallyBlock` positions, how many devices
 * of each group (a device kind) are in each state, kept up to date as a device changes state
 * (`changed`). A run is its whole blocks' counts and the codes of its part-blocks at both ends; a
 * count may be of one group only. The blocks' counts are also kept as a Fenwick tree (each entry the
 * sum of a power-of-two span of blocks ending there), so that a long run's whole blocks are two prefix
 * sums, and a change of state updates a logarithmic number of its entries.
 */
export class StateTally {
  /** The devices' slots in list order. */
  private readonly slots: Int32Array;
  /** Each position's group, below `groupCount`. */
  private readonly groups: Uint8Array;
  private readonly groupCount: number;
  /** By slot, its position in `slots`; -1 for a slot not in the list. */
  private readonly positions: Int32Array;
  /** Per block and group, the count of each state ((block × groupCount + group) × stateCount + code). */
  private readonly blocks: Int32Array;
  private readonly blockCount: number;
  /** The blocks' Fenwick tree, indexed from 1 as `blocks` is from 0 (entry i: blocks i - lowbit(i) to i - 1). */
  private readonly tree: Int32Array;

  /** `codes`: each slot's state now, as a rank in `mapStates` (DeviceStates' codes). */
  constructor(slots: Int32Array, groups: Uint8Array, groupCount: number, codes: Uint8Array) {
    this.slots = slots;
    this.groups = groups;
    this.groupCount = groupCount;
    let highest = -1;
    for (const slot of slots) if (slot > highest) highest = slot;
    this.positions = new Int32Array(highest + 1).fill(-1);
    this.blockCount = Math.ceil(slots.length / tallyBlock);
    const width = groupCount * stateCount;
    this.blocks = new Int32Array(this.blockCount * width);
    slots.forEach((slot, k) => {
      this.positions[slot] = k;
      const at = this.baseOf(k) + (codes[slot] as number);
      this.blocks[at] = (this.blocks[at] as number) + 1;
    });
    // Built in one pass: each entry adds itself to the next entry whose span covers it.
    this.tree = new Int32Array((this.blockCount + 1) * width);
    this.tree.set(this.blocks, width);
    for (let i = 1; i <= this.blockCount; i++) {
      const up = i + (i & -i);
      if (up > this.blockCount) continue;
      for (let v = 0; v < width; v++)
        this.tree[up * width + v] =
          (this.tree[up * width + v] as number) + (this.tree[i * width + v] as number);
    }
  }

  private baseOf(k: number): number {
    return (Math.floor(k / tallyBlock) * this.groupCount + (this.groups[k] as number)) * stateCount;
  }

  /** A device's state changed from one code to another. */
  changed(slot: number, from: number, to: number): void {
    const k = slot < this.positions.length ? (this.positions[slot] as number) : -1;
    if (k < 0 || from === to) return;
    const base = this.baseOf(k);
    this.blocks[base + from] = (this.blocks[base + from] as number) - 1;
    this.blocks[base + to] = (this.blocks[base + to] as number) + 1;
    const width = this.groupCount * stateCount;
    const inBlock = base % width;
    for (let i = Math.floor(k / tallyBlock) + 1; i <= this.blockCount; i += i & -i) {
      const at = i * width + inBlock;
      this.tree[at + from] = (this.tree[at + from] as number) - 1;
      this.tree[at + to] = (this.tree[at + to] as number) + 1;
    }
  }

  /** Adds (`sign` 1) or takes away (-1) the counts of blocks 0 to `blocks` - 1 of groups `fromGroup` to `toGroup` - 1. */
  private prefix(blocks: number, fromGroup: number, toGroup: number, into: Int32Array, sign: number): void {
    const width = this.groupCount * stateCount;
    for (let i = blocks; i > 0; i -= i & -i)
      for (let g = fromGroup; g < toGroup; g++) {
        const at = i * width + g * stateCount;
        for (let s = 0; s < stateCount; s++)
          into[s] = (into[s] as number) + sign * (this.tree[at + s] as number);
      }
  }

  /**
   * Sets `into` to the count of each state among positions start to end - 1 (`codes`: the states
   * now), of the devices in `group` only when it is given.
   */
  count(start: number, end: number, codes: Uint8Array, into: Int32Array, group?: number): void {
    into.fill(0);
    const firstWhole = Math.ceil(start / tallyBlock);
    const lastWhole = Math.floor(end / tallyBlock);
    if (firstWhole >= lastWhole) {
      this.walk(start, end, codes, into, group);
      return;
    }
    this.walk(start, firstWhole * tallyBlock, codes, into, group);
    const [fromGroup, toGroup] = group === undefined ? [0, this.groupCount] : [group, group + 1];
    if (lastWhole - firstWhole > treeFromBlocks) {
      this.prefix(lastWhole, fromGroup, toGroup, into, 1);
      this.prefix(firstWhole, fromGroup, toGroup, into, -1);
    } else
      for (let b = firstWhole; b < lastWhole; b++)
        for (let g = fromGroup; g < toGroup; g++) {
          const base = (b * this.groupCount + g) * stateCount;
          for (let s = 0; s < stateCount; s++)
            into[s] = (into[s] as number) + (this.blocks[base + s] as number);
        }
    this.walk(lastWhole * tallyBlock, end, codes, into, group);
  }

  /**
   * The first position from start to end - 1 whose device is in the state `code` (any state when
   * undefined) and in `group` (any when undefined); -1 if none.
   */
  find(start: number, end: number, codes: Uint8Array, code?: number, group?: number): number {
    let k = start;
    while (k < end) {
      if (k % tallyBlock === 0 && k + tallyBlock <= end && this.blockLacks(k / tallyBlock, code, group)) {
        k += tallyBlock;
        continue;
      }
      if (
        (group === undefined || this.groups[k] === group) &&
        (code === undefined || codes[this.slots[k] as number] === code)
      )
        return k;
      k++;
    }
    return -1;
  }

  /** Whether block `b` holds no device in that state and group. */
  private blockLacks(b: number, code: number | undefined, group: number | undefined): boolean {
    const [fromGroup, toGroup] = group === undefined ? [0, this.groupCount] : [group, group + 1];
    for (let g = fromGroup; g < toGroup; g++) {
      const base = (b * this.groupCount + g) * stateCount;
      for (let s = 0; s < stateCount; s++)
        if ((code === undefined || s === code) && (this.blocks[base + s] as number) > 0) return false;
    }
    return true;
  }

  private walk(
    start: number,
    end: number,
    codes: Uint8Array,
    into: Int32Array,
    group: number | undefined,
  ): void {
    for (let k = start; k < end; k++) {
      if (group !== undefined && this.groups[k] !== group) continue;
      const code = codes[this.slots[k] as number] as number;
      into[code] = (into[code] as number) + 1;
    }
  }
}
