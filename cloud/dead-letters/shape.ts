import { z } from 'zod';
import { contractFieldNames } from '../../shared/field-names.ts';

/**
 * The shape of a JSON value without its values: `"string"`, `"number"`, `"boolean"`, `"null"`; an
 * object as its keys and their shapes; an array as its length and the distinct shapes of its
 * elements; `"…"` where the description stops (too deep, or too much of it).
 */
export type JsonShape =
  | 'string'
  | 'number'
  | 'boolean'
  | 'null'
  | '…'
  | { object: Record<string, JsonShape>; otherKeys?: number }
  | { array: JsonShape[]; length: number };

export const jsonShape: z.ZodType<JsonShape> = z
  .lazy(() =>
    z.union([
      z.enum(['string', 'number', 'boolean', 'null', '…']),
      z
        .object({
          object: z.record(z.string(), jsonShape),
          otherKeys: z.int().min(1).optional().meta({ description: 'Keys outside the contract, counted' }),
        })
        .strict(),
      z.object({ array: z.array(jsonShape), length: z.int().min(0) }).strict(),
    ]),
  )
  .meta({ id: 'JsonShape' });

/** What a dead letter keeps of its payload by default: its format, and the shape of JSON. */
export const payloadShape = z
  .discriminatedUnion('format', [
    z.object({
      format: z.literal('json'),
      shape: jsonShape,
      truncated: z.literal(true).optional().meta({ description: 'The shape stops where it became too big' }),
    }),
    z.object({ format: z.enum(['invalid-utf8', 'invalid-json', 'bytes']) }),
    z.object({ format: z.literal('lines'), lines: z.int().min(0) }),
  ])
  .meta({ id: 'PayloadShape' });
export type PayloadShape = z.infer<typeof payloadShape>;

/** Bounds of a shape: how deep it goes, how many nodes it has, how many element shapes per array. */
export const shapeLimits = { depth: 8, nodes: 400, distinctElements: 5, parseBytes: 1_048_576 };

const utf8 = new TextDecoder('utf-8', { fatal: true, ignoreBOM: true });

/**
 * The shape of a payload, never its values. A key is kept only when it is a field name of the MQTT
 * contract (shared/field-names.ts); any other key may itself be personal data (a MAC address, a
 * plate), so it is left out and counted in `otherKeys`, its value undescribed. A payload larger
 * than `shapeLimits.parseBytes` is not parsed: `bytes`.
 */
export function describePayload(bytes: Uint8Array): PayloadShape {
  if (bytes.length > shapeLimits.parseBytes) return { format: 'bytes' };
  let text: string;
  try {
    text = utf8.decode(bytes);
  } catch {
    return { format: 'invalid-utf8' };
  }
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch {
    return { format: 'invalid-json' };
  }
  const budget = { nodes: shapeLimits.nodes, truncated: false };
  const shape = shapeOf(json, 0, budget);
  return budget.truncated ? { format: 'json', shape, truncated: true } : { format: 'json', shape };
}

/** Line protocol InfluxDB refused: how many lines, not what they say. */
export function describeLines(lines: readonly string[]): PayloadShape {
  return { format: 'lines', lines: lines.length };
}

function shapeOf(value: unknown, depth: number, budget: { nodes: number; truncated: boolean }): JsonShape {
  if (budget.nodes <= 0 || depth >= shapeLimits.depth) {
    budget.truncated = true;
    return '…';
  }
  budget.nodes--;
  if (value === null) return 'null';
  if (Array.isArray(value)) {
    const distinct = new Map<string, JsonShape>();
    for (const element of value) {
      if (budget.nodes <= 0) {
        budget.truncated = true;
        break;
      }
      const shape = shapeOf(element, depth + 1, budget);
      const key = JSON.stringify(shape);
      if (!distinct.has(key) && distinct.size < shapeLimits.distinctElements) distinct.set(key, shape);
    }
    return { array: [...distinct.values()], length: value.length };
  }
  if (typeof value === 'object') {
    const object: Record<string, JsonShape> = {};
    let otherKeys = 0;
    for (const [key, inner] of Object.entries(value)) {
      if (contractFieldNames.has(key)) object[key] = shapeOf(inner, depth + 1, budget);
      else otherKeys++;
    }
    return otherKeys > 0 ? { object, otherKeys } : { object };
  }
  return typeof value as 'string' | 'number' | 'boolean';
}
