import { Ajv } from 'ajv';
import { z } from 'zod';
import { kinds, type Reading, reading } from '../../shared/kinds/index.ts';

type JsonSchema = { [key: string]: unknown };

/**
 * A compiled check of a reading, for the hot path of ingestion: the zod schema (still the one
 * source of the contract) turned into JSON Schema and compiled by Ajv into straight-line code, which
 * costs a fraction of zod's interpreted parse and allocates nothing. It only ever says yes to a
 * reading the zod schema accepts unchanged (a property test compares the two on arbitrary input);
 * when it says no, the caller asks zod, whose answer (and message) counts.
 *
 * Ajv counts string lengths in code points, as zod does, compiles patterns with the `u` flag the
 * schemas' regular expressions are written for, and treats `kind` as the discriminator of the
 * union, as zod does.
 */
export function compileReadingCheck(): (candidate: unknown) => candidate is Reading {
  const schema = z.toJSONSchema(reading, { target: 'draft-7', unrepresentable: 'throw' }) as JsonSchema;
  const definitions = schema.definitions as Record<string, JsonSchema>;
  for (const k of Object.values(kinds)) {
    const metrics = (definitions[`${k.kind}Reading`]?.properties as Record<string, JsonSchema> | undefined)
      ?.metrics;
    if (!metrics) throw new Error(`JSON Schema of ${k.kind} readings has no metrics`);
    // The zod refinement "a reading carries at least one metric", which JSON Schema cannot be told.
    metrics.minProperties = 1;
  }
  const ajv = new Ajv({
    strict: false,
    validateFormats: false,
    unicodeRegExp: true,
    discriminator: true,
  });
  // The discriminator needs an object with a kind at the root (Ajv lets anything else through it).
  return ajv.compile({
    ...schema,
    type: 'object',
    required: ['kind'],
    discriminator: { propertyName: 'kind' },
  }) as (candidate: unknown) => candidate is Reading;
}
