import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { compileReadingCheck } from '../../cloud/ingest/compiled-check.ts';
import { reading } from '../../shared/kinds/index.ts';
import { validReadings } from '../unit/fixtures.ts';
import { itemArb, now, toJsonText } from './arbitraries.ts';
import { nastyReadings } from './nasty-corpus.ts';

/**
 * The compiled reading check (Ajv, from the zod schema's JSON Schema) lets ingestion skip zod for the
 * readings it accepts. It must never accept what zod refuses, nor anything zod would change.
 */
const isReading = compileReadingCheck();

/** As ingestion sees an item: after JSON text and JSON.parse (1e309 becomes Infinity, and so on). */
const asReceived = (item: unknown) => JSON.parse(toJsonText(item)) as unknown;

function agree(item: unknown): { compiled: boolean; zod: boolean } {
  const compiled = isReading(item);
  const parsed = reading.safeParse(item);
  if (compiled) expect(parsed.data, JSON.stringify(item)).toEqual(item);
  return { compiled, zod: parsed.success };
}

describe('compiled reading check', () => {
  it('decides every generated reading as zod does (plausible, broken and hostile ones)', () => {
    let accepted = 0;
    fc.assert(
      fc.property(itemArb('reading'), (item) => {
        const received = asReceived(item);
        const { compiled, zod } = agree(received);
        expect(compiled, toJsonText(received)).toBe(zod);
        if (compiled) accepted++;
      }),
      { numRuns: 5_000 },
    );
    // Enough of them valid for the comparison to mean something.
    expect(accepted).toBeGreaterThan(500);
  });

  it('decides the nasty corpus as zod does', () => {
    const corpus = nastyReadings(now);
    expect(corpus.length).toBeGreaterThan(20);
    for (const { name, json } of corpus) {
      const { compiled, zod } = agree(JSON.parse(json));
      expect(compiled, name).toBe(zod);
    }
  });

  it('accepts the valid fixtures and refuses what is not an object with a kind', () => {
    for (const valid of Object.values(validReadings)) expect(isReading(valid)).toBe(true);
    for (const other of [null, 'reading', 42, [], {}, { kind: 'lamp' }, [validReadings.camera]])
      expect(isReading(other)).toBe(false);
  });
});
