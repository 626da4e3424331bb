import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { compileReadingCheck, compileTelemetryEnvelopeCheck } from '../../cloud/ingest/compiled-check.ts';
import { reading } from '../../shared/kinds/index.ts';
import { telemetryEnvelope } from '../../shared/messages.ts';
import { validReadings } from '../unit/fixtures.ts';
import { anyValue, envelopeArb, gw, itemArb, now, toJsonText } from './arbitraries.ts';
import { nastyReadings } from './nasty-corpus.ts';

/**
 * The compiled reading check (Ajv, from the zod schema's JSON Schema) lets ingestion skip zod for the
 * readings it accepts. It must never accept what zod refuses, nor anything zod would change.
 */
const isReading = compileReadingCheck();
const isTelemetryEnvelope = compileTelemetryEnvelopeCheck();

/** As ingestion sees an item: after JSON text and JSON.parse (1e309 becomes Infinity, and so on). */
const asReceived = (item: unknown) => JSON.parse(toJsonText(item)) as unknown;

function agree(
  item: unknown,
  check: (candidate: unknown) => boolean = isReading,
  schema: { safeParse(value: unknown): { success: boolean; data?: unknown } } = reading,
): { compiled: boolean; zod: boolean } {
  const compiled = check(item);
  const parsed = schema.safeParse(item);
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

/**
 * Telemetry envelopes as a gateway might send them: mostly right, with keys taken out or added
 * (the envelope is strict), a readings list of any length around the limits, or no object at all.
 */
const envelopeCandidateArb = fc.oneof(
  { weight: 6, arbitrary: envelopeArb('telemetry') as fc.Arbitrary<Record<string, unknown>> },
  {
    weight: 2,
    arbitrary: fc
      .tuple(
        envelopeArb('telemetry') as fc.Arbitrary<Record<string, unknown>>,
        fc.constantFrom('v', 'gatewayId', 'sentAt', 'batchId', 'readings'),
      )
      .map(([envelope, key]) => Object.fromEntries(Object.entries(envelope).filter(([k]) => k !== key))),
  },
  {
    weight: 2,
    arbitrary: fc
      .tuple(envelopeArb('telemetry') as fc.Arbitrary<Record<string, unknown>>, fc.string(), anyValue)
      .map(([envelope, key, value]) => ({ ...envelope, [key]: value })),
  },
  {
    weight: 1,
    arbitrary: fc
      .tuple(
        envelopeArb('telemetry') as fc.Arbitrary<Record<string, unknown>>,
        fc.constantFrom(0, 1, 1_000, 1_001),
      )
      .map(([envelope, n]) => ({ ...envelope, readings: Array.from({ length: n }, () => ({})) })),
  },
  { weight: 1, arbitrary: anyValue },
);

describe('compiled telemetry envelope check', () => {
  it('decides every generated envelope as zod does', () => {
    let accepted = 0;
    fc.assert(
      fc.property(envelopeCandidateArb, (candidate) => {
        const received = JSON.parse(toJsonText(candidate)) as unknown;
        const { compiled, zod } = agree(received, isTelemetryEnvelope, telemetryEnvelope);
        expect(compiled, toJsonText(received)).toBe(zod);
        if (compiled) accepted++;
      }),
      { numRuns: 3_000 },
    );
    // Enough of them valid for the comparison to mean something (about 6 %).
    expect(accepted).toBeGreaterThan(100);
  });

  it('refuses an envelope with a key given as __proto__, as zod does', () => {
    const text = `{"v":1,"gatewayId":"${gw}","sentAt":"${now.toISOString()}","batchId":"b-1","readings":[{}],"__proto__":{"x":1}}`;
    const { compiled, zod } = agree(JSON.parse(text), isTelemetryEnvelope, telemetryEnvelope);
    expect(compiled).toBe(zod);
    expect(compiled).toBe(false);
  });
});
