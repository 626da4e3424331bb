import { mapStates } from './map-state.ts';

/** Positions per block of counts: a range is counted by its blocks, walking at most two part-blocks. */
export const tallyBlock = 64;

const stateCount = mapStates.length;

/**
 * The devices' states counted over runs of a list of slots (a cluster index's order, where every
 * cluster is a run), without walking each run: per block of `tallyBlock` positions, how many devices
 * of each group (a device kind) are in each state, kept up to date as a device changes state
 * (`changed`). A run is its whole blocks' counts and the codes of its part-blocks at both ends; a
 * count may be of one group only.
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

  /** `codes`: each slot's state now, as a rank in `mapStates` (DeviceStates' codes). */
  constructor(slots: Int32Array, groups: Uint8Array, groupCount: number, codes: Uint8Array) {
    this.slots = slots;
    this.groups = groups;
    this.groupCount = groupCount;
    let highest = -1;
    for (const slot of slots) if (slot > highest) highest = slot;
    this.positions = new Int32Array(highest + 1).fill(-1);
    this.blocks = new Int32Array(Math.ceil(slots.length / tallyBlock) * groupCount * stateCount);
    slots.forEach((slot, k) => {
      this.positions[slot] = k;
      const at = this.baseOf(k) + (codes[slot] as number);
      this.blocks[at] = (this.blocks[at] as number) + 1;
    });
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
