import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { mapStates } from '../../../../cloud/live/map-state.ts';
import { StateTally, tallyBlock, treeFromBlocks } from '../../../../cloud/live/state-tally.ts';

const states = mapStates.length;
const groupCount = 3;

/** The counts of a run walked device by device, of one group or all. */
function walked(
  slots: Int32Array,
  groups: Uint8Array,
  codes: Uint8Array,
  start: number,
  end: number,
  group?: number,
): number[] {
  const counts = new Array<number>(states).fill(0);
  for (let k = start; k < end; k++) {
    if (group !== undefined && groups[k] !== group) continue;
    const code = codes[slots[k] as number] as number;
    counts[code] = (counts[code] ?? 0) + 1;
  }
  return counts;
}

/** Slots 0..n-1 shuffled, some left out of the list (a district's index holds some of the fleet), each in a group. */
const listArb = fc.integer({ min: 0, max: 5 * tallyBlock }).chain((n) =>
  fc.record({
    codes: fc.array(fc.integer({ min: 0, max: states - 1 }), { minLength: n, maxLength: n }),
    slots: fc.shuffledSubarray([...Array(n).keys()]),
    groups: fc.array(fc.integer({ min: 0, max: groupCount - 1 }), { minLength: n, maxLength: n }),
    changes: fc.array(fc.record({ slot: fc.nat(), code: fc.integer({ min: 0, max: states - 1 }) }), {
      maxLength: 40,
    }),
    runs: fc.array(fc.tuple(fc.nat(), fc.nat()), { maxLength: 20 }),
  }),
);

describe('state tally', () => {
  it('counts each run and finds its first device in a state and group as a walk does, as states change', () => {
    fc.assert(
      fc.property(listArb, ({ codes: initial, slots: list, groups: groupList, changes, runs }) => {
        const codes = Uint8Array.from(initial);
        const slots = Int32Array.from(list);
        const groups = Uint8Array.from(groupList.slice(0, slots.length));
        const tally = new StateTally(slots, groups, groupCount, codes);
        for (const change of changes) {
          if (codes.length === 0) break;
          const slot = change.slot % codes.length;
          const from = codes[slot] as number;
          codes[slot] = change.code;
          tally.changed(slot, from, change.code);
        }
        const into = new Int32Array(states);
        const matches = (k: number, code?: number, group?: number) =>
          (code === undefined || codes[slots[k] as number] === code) &&
          (group === undefined || groups[k] === group);
        for (const [a, b] of runs) {
          const start = slots.length === 0 ? 0 : a % (slots.length + 1);
          const end = start + (slots.length === 0 ? 0 : b % (slots.length - start + 1));
          for (const group of [undefined, 0, 1, 2]) {
            tally.count(start, end, codes, into, group);
            expect([...into]).toEqual(walked(slots, groups, codes, start, end, group));
            for (const code of [undefined, ...mapStates.keys()]) {
              let first = -1;
              for (let k = start; k < end && first < 0; k++) if (matches(k, code, group)) first = k;
              expect(tally.find(start, end, codes, code, group)).toBe(first);
            }
          }
        }
      }),
      { numRuns: 200 },
    );
  });

  it('counts a run of whole blocks from the blocks kept, not from codes read then', () => {
    const n = 3 * tallyBlock;
    const codes = new Uint8Array(n);
    const slots = Int32Array.from({ length: n }, (_, k) => k);
    const groups = Uint8Array.from({ length: n }, (_, k) => k % 2);
    const tally = new StateTally(slots, groups, 2, codes);
    codes[tallyBlock + 3] = 5;
    tally.changed(tallyBlock + 3, 0, 5);
    const into = new Int32Array(states);
    tally.count(0, n, codes, into);
    expect([into[5], into[0]]).toEqual([1, n - 1]);
    tally.count(0, n, codes, into, 1);
    expect([into[5], into[0]]).toEqual([1, n / 2 - 1]);
    tally.count(0, n, codes, into, 0);
    expect([into[5], into[0]]).toEqual([0, n / 2]);
    // A slot outside the list changes nothing.
    tally.changed(n + 10, 0, 5);
    tally.count(0, n, codes, into);
    expect(into[5]).toBe(1);
  });

  it('counts long runs (more whole blocks than treeFromBlocks: the Fenwick tree) as a walk does, as states change', () => {
    const long = fc
      .integer({ min: (treeFromBlocks + 1) * tallyBlock, max: 4 * treeFromBlocks * tallyBlock })
      .chain((n) =>
        fc.record({
          codes: fc.array(fc.integer({ min: 0, max: states - 1 }), { minLength: n, maxLength: n }),
          groups: fc.array(fc.integer({ min: 0, max: groupCount - 1 }), { minLength: n, maxLength: n }),
          changes: fc.array(fc.record({ slot: fc.nat(), code: fc.integer({ min: 0, max: states - 1 }) }), {
            maxLength: 60,
          }),
          runs: fc.array(fc.tuple(fc.nat(), fc.nat()), { minLength: 1, maxLength: 10 }),
        }),
      );
    fc.assert(
      fc.property(long, ({ codes: initial, groups: groupList, changes, runs }) => {
        const codes = Uint8Array.from(initial);
        // Slots in reverse: a list's position is not its slot.
        const slots = Int32Array.from({ length: codes.length }, (_, k) => codes.length - 1 - k);
        const groups = Uint8Array.from(groupList);
        const tally = new StateTally(slots, groups, groupCount, codes);
        const into = new Int32Array(states);
        const check = () => {
          for (const [a, b] of runs) {
            const start = a % (slots.length + 1);
            const end = start + (b % (slots.length - start + 1));
            for (const group of [undefined, 0, 2]) {
              tally.count(start, end, codes, into, group);
              expect([...into]).toEqual(walked(slots, groups, codes, start, end, group));
            }
          }
          tally.count(0, slots.length, codes, into);
          expect([...into]).toEqual(walked(slots, groups, codes, 0, slots.length));
        };
        check();
        for (const change of changes) {
          const slot = change.slot % codes.length;
          const from = codes[slot] as number;
          codes[slot] = change.code;
          tally.changed(slot, from, change.code);
        }
        check();
      }),
      { numRuns: 100 },
    );
  });

  it('counts a run of treeFromBlocks whole blocks and one of a block more alike, after a change in the last block', () => {
    const n = (treeFromBlocks + 3) * tallyBlock;
    const codes = new Uint8Array(n);
    const slots = Int32Array.from({ length: n }, (_, k) => k);
    const tally = new StateTally(slots, new Uint8Array(n), 1, codes);
    const last = (treeFromBlocks + 1) * tallyBlock + 5;
    codes[last] = 6;
    tally.changed(last, 0, 6);
    const into = new Int32Array(states);
    for (const blocks of [treeFromBlocks, treeFromBlocks + 1, treeFromBlocks + 2]) {
      tally.count(tallyBlock, (blocks + 1) * tallyBlock, codes, into);
      const holds = blocks > treeFromBlocks ? 1 : 0;
      expect([into[0], into[6]]).toEqual([blocks * tallyBlock - holds, holds]);
    }
  });
});
