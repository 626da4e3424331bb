import { Ajv } from 'ajv';
import { z } from 'zod';
import { kinds, type Reading, reading } from '../../shared/kinds/index.ts';
import { telemetryEnvelope } from '../../shared/messages.ts';

type JsonSchema = { [key: string]: unknown };

/** What a compiled check answers: whether the candidate is, as it is, a value of the schema. */
export type CompiledCheck<T> = (candidate: unknown) => candidate is T;

/** The zod schema's JSON Schema (draft 7); a refinement JSON Schema cannot state throws. */
function jsonSchemaOf(schema: z.ZodType): JsonSchema {
  return z.toJSONSchema(schema, { target: 'draft-7', unrepresentable: 'throw' }) as JsonSchema;
}

/**
 * Ajv counts string lengths in code points, as zod does, compiles patterns with the `u` flag the
 * schemas' regular expressions are written for, and treats a union's `discriminator` as zod does.
 */
function compile<T>(schema: JsonSchema): CompiledCheck<T> {
  const ajv = new Ajv({ strict: false, validateFormats: false, unicodeRegExp: true, discriminator: true });
  return ajv.compile(schema) as CompiledCheck<T>;
}

/**
 * A compiled check of a reading, for the hot path of ingestion: the zod schema (still the one
 * source of the contract) turned into JSON Schema and compiled by Ajv into straight-line code, which
 * costs a fraction of zod's interpreted parse and allocates nothing. It only ever says yes to a
 * reading the zod schema accepts unchanged (a property test compares the two on arbitrary input);
 * when it says no, the caller asks zod, whose answer (and message) counts.
 */
export function compileReadingCheck(): CompiledCheck<Reading> {
  const schema = jsonSchemaOf(reading);
  const definitions = schema.definitions as Record<string, JsonSchema>;
  for (const k of Object.values(kinds)) {
    const metrics = (definitions[`${k.kind}Reading`]?.properties as Record<string, JsonSchema> | undefined)
      ?.metrics;
    if (!metrics) throw new Error(`JSON Schema of ${k.kind} readings has no metrics`);
    // The zod refinement "a reading carries at least one metric", which JSON Schema cannot be told.
    metrics.minProperties = 1;
  }
  // The discriminator needs an object with a kind at the root (Ajv lets anything else through it).
  return compile({ ...schema, type: 'object', required: ['kind'], discriminator: { propertyName: 'kind' } });
}

/**
 * A compiled check of a telemetry message's envelope (`telemetryEnvelope`: version, gateway, times,
 * batch id and a list of readings, which are checked one by one after it), on the same terms as the
 * reading check. Besides its CPU, zod's parse of the envelope made the message's parsed readings
 * outlive the main thread's young-generation collections, so that each scavenge copied and promoted
 * them (alert bench: 5.3 MB promoted per scavenge with zod's parse of the envelope, 2.7 MB without;
 * parsing alone promoted none). What holds them is not pinned down: not zod's compiled fast path
 * (jitless changes nothing), most likely the weak maps of zod 4.6's cycle memoizer, keyed by the
 * parse's input (docs/benchmarks.md, the fifteenth session).
 */
export function compileTelemetryEnvelopeCheck(): CompiledCheck<z.infer<typeof telemetryEnvelope>> {
  return compile(jsonSchemaOf(telemetryEnvelope));
}
