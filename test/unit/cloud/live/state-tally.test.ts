import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { mapStates } from '../../../../cloud/live/map-state.ts';
import { StateTally, tallyBlock } from '../../../../cloud/live/state-tally.ts';

const states = mapStates.length;

/** The counts of a run walked device by device. */
function walked(slots: Int32Array, codes: Uint8Array, start: number, end: number): number[] {
  const counts = new Array<number>(states).fill(0);
  for (let k = start; k < end; k++) {
    const code = codes[slots[k] as number] as number;
    counts[code] = (counts[code] ?? 0) + 1;
  }
  return counts;
}

/** Slots 0..n-1 shuffled, some left out of the list (a kind's index holds some of the fleet). */
const listArb = fc.integer({ min: 0, max: 5 * tallyBlock }).chain((n) =>
  fc.record({
    codes: fc.array(fc.integer({ min: 0, max: states - 1 }), { minLength: n, maxLength: n }),
    slots: fc.shuffledSubarray([...Array(n).keys()]),
    changes: fc.array(fc.record({ slot: fc.nat(), code: fc.integer({ min: 0, max: states - 1 }) }), {
      maxLength: 40,
    }),
    runs: fc.array(fc.tuple(fc.nat(), fc.nat()), { maxLength: 20 }),
  }),
);

describe('state tally', () => {
  it('counts each run and finds its first device in a state as a walk does, as states change', () => {
    fc.assert(
      fc.property(listArb, ({ codes: initial, slots: list, changes, runs }) => {
        const codes = Uint8Array.from(initial);
        const slots = Int32Array.from(list);
        const tally = new StateTally(slots, codes);
        for (const change of changes) {
          if (codes.length === 0) break;
          const slot = change.slot % codes.length;
          const from = codes[slot] as number;
          codes[slot] = change.code;
          tally.changed(slot, from, change.code);
        }
        const into = new Int32Array(states);
        for (const [a, b] of runs) {
          const start = slots.length === 0 ? 0 : a % (slots.length + 1);
          const end = start + (slots.length === 0 ? 0 : b % (slots.length - start + 1));
          tally.count(start, end, codes, into);
          expect([...into]).toEqual(walked(slots, codes, start, end));
          for (let code = 0; code < states; code++) {
            let first = -1;
            for (let k = start; k < end && first < 0; k++) if (codes[slots[k] as number] === code) first = k;
            expect(tally.find(start, end, code, codes)).toBe(first);
          }
        }
      }),
      { numRuns: 300 },
    );
  });

  it('counts a run of whole blocks from the blocks kept, not from codes read then', () => {
    const n = 3 * tallyBlock;
    const codes = new Uint8Array(n);
    const slots = Int32Array.from({ length: n }, (_, k) => k);
    const tally = new StateTally(slots, codes);
    codes[tallyBlock + 3] = 5;
    tally.changed(tallyBlock + 3, 0, 5);
    const into = new Int32Array(states);
    tally.count(0, n, codes, into);
    expect(into[5]).toBe(1);
    expect(into[0]).toBe(n - 1);
    // A slot outside the list changes nothing.
    tally.changed(n + 10, 0, 5);
    tally.count(0, n, codes, into);
    expect(into[5]).toBe(1);
  });
});
