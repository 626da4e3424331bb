import { mapStates } from './map-state.ts';

/** Positions per block of counts: a range is counted by its blocks, walking at most two part-blocks. */
export const tallyBlock = 64;

const stateCount = mapStates.length;

/**
 * The devices' states counted over runs of a list of slots (a cluster index's order, where every
 * cluster is a run), without walking each run: per block of `tallyBlock` positions, how many devices
 * are in each state, kept up to date as a device changes state (`changed`). A run is its whole blocks'
 * counts and the codes of its part-blocks at both ends.
 */
export class StateTally {
  /** The devices' slots in list order. */
  private readonly slots: Int32Array;
  /** By slot, its position in `slots`; -1 for a slot not in the list. */
  private readonly positions: Int32Array;
  /** Per block, the count of each state (block × stateCount + state code). */
  private readonly blocks: Int32Array;

  /** `codes`: each slot's state now, as a rank in `mapStates` (DeviceStates' codes). */
  constructor(slots: Int32Array, codes: Uint8Array) {
    this.slots = slots;
    let highest = -1;
    for (const slot of slots) if (slot > highest) highest = slot;
    this.positions = new Int32Array(highest + 1).fill(-1);
    this.blocks = new Int32Array(Math.ceil(slots.length / tallyBlock) * stateCount);
    slots.forEach((slot, k) => {
      this.positions[slot] = k;
      const at = Math.floor(k / tallyBlock) * stateCount + (codes[slot] as number);
      this.blocks[at] = (this.blocks[at] as number) + 1;
    });
  }

  /** A device's state changed from one code to another. */
  changed(slot: number, from: number, to: number): void {
    const k = slot < this.positions.length ? (this.positions[slot] as number) : -1;
    if (k < 0 || from === to) return;
    const base = Math.floor(k / tallyBlock) * stateCount;
    this.blocks[base + from] = (this.blocks[base + from] as number) - 1;
    this.blocks[base + to] = (this.blocks[base + to] as number) + 1;
  }

  /** Sets `into` to the count of each state among positions start to end - 1 (`codes`: the states now). */
  count(start: number, end: number, codes: Uint8Array, into: Int32Array): void {
    into.fill(0);
    const firstWhole = Math.ceil(start / tallyBlock);
    const lastWhole = Math.floor(end / tallyBlock);
    if (firstWhole >= lastWhole) {
      this.walk(start, end, codes, into);
      return;
    }
    this.walk(start, firstWhole * tallyBlock, codes, into);
    for (let b = firstWhole; b < lastWhole; b++)
      for (let s = 0; s < stateCount; s++)
        into[s] = (into[s] as number) + (this.blocks[b * stateCount + s] as number);
    this.walk(lastWhole * tallyBlock, end, codes, into);
  }

  /** The first position from start to end - 1 whose device is in the state `code`; -1 if none. */
  find(start: number, end: number, code: number, codes: Uint8Array): number {
    let k = start;
    while (k < end) {
      if (
        k % tallyBlock === 0 &&
        k + tallyBlock <= end &&
        this.blocks[(k / tallyBlock) * stateCount + code] === 0
      ) {
        k += tallyBlock;
        continue;
      }
      if (codes[this.slots[k] as number] === code) return k;
      k++;
    }
    return -1;
  }

  private walk(start: number, end: number, codes: Uint8Array, into: Int32Array): void {
    for (let k = start; k < end; k++) {
      const code = codes[this.slots[k] as number] as number;
      into[code] = (into[code] as number) + 1;
    }
  }
}
