import { z } from 'zod';
import { type DeviceKind, kinds } from '../../shared/kinds/index.ts';

/**
 * What the console derives from the device kinds' zod schemas (shared/kinds, the single source):
 * the metrics with their units, which of them are numeric (chartable), and the command forms.
 */
export const kindNames = Object.keys(kinds) as DeviceKind[];

interface JsonSchema {
  type?: string | string[];
  enum?: unknown[];
  const?: unknown;
  minimum?: number;
  maximum?: number;
  unit?: string;
  description?: string;
  properties?: Record<string, JsonSchema>;
  required?: string[];
  oneOf?: JsonSchema[];
  anyOf?: JsonSchema[];
}

const metricSchemas = new Map<DeviceKind, Record<string, JsonSchema>>();
function metricsOf(kind: DeviceKind): Record<string, JsonSchema> {
  let schemas = metricSchemas.get(kind);
  if (!schemas) {
    schemas =
      (z.toJSONSchema(kinds[kind].metrics, { unrepresentable: 'any' }) as JsonSchema).properties ?? {};
    metricSchemas.set(kind, schemas);
  }
  return schemas;
}

export function unitOf(kind: DeviceKind, metric: string): string | undefined {
  return metricsOf(kind)[metric]?.unit;
}

const eventValueSchemas = new Map<DeviceKind, Record<string, JsonSchema>>();
/** The unit of a value a kind declares for its events (`sessionEnergy`: kWh). */
export function eventValueUnit(kind: DeviceKind, name: string): string | undefined {
  let schemas = eventValueSchemas.get(kind);
  if (!schemas) {
    schemas =
      (z.toJSONSchema(kinds[kind].eventValues, { unrepresentable: 'any' }) as JsonSchema).properties ?? {};
    eventValueSchemas.set(kind, schemas);
  }
  return schemas[name]?.unit;
}

export function numericMetrics(kind: DeviceKind): string[] {
  return Object.entries(metricsOf(kind))
    .filter(([, s]) => s.type === 'number' || s.type === 'integer')
    .map(([name]) => name);
}

/** The event types a kind's devices send (for an event condition). */
export function eventTypes(kind: DeviceKind): string[] {
  return [...kinds[kind].events.options];
}

export function metricNames(kind: DeviceKind): string[] {
  return Object.keys(metricsOf(kind));
}

/** One parameter of a command: a number in a range, a yes/no, or one of some words. */
export type CommandParam =
  | { name: string; type: 'number'; min?: number; max?: number; unit?: string }
  | { name: string; type: 'boolean' }
  | { name: string; type: 'enum'; values: string[] };
export interface CommandForm {
  action: string;
  params: CommandParam[];
  /** The kind's zod schema of this command: what the form's values are checked with before sending. */
  schema: z.ZodType;
}

export function commandForms(kind: DeviceKind): CommandForm[] {
  const union = kinds[kind].commands as unknown as z.ZodDiscriminatedUnion<z.ZodObject[]>;
  return union.options.map((option) => {
    const json = z.toJSONSchema(option, { unrepresentable: 'any' }) as JsonSchema;
    const params: CommandParam[] = [];
    let action = '';
    for (const [name, s] of Object.entries(json.properties ?? {})) {
      if (name === 'action') {
        action = String(s.const ?? s.enum?.[0]);
        continue;
      }
      if (s.type === 'boolean') params.push({ name, type: 'boolean' });
      else if (s.enum) params.push({ name, type: 'enum', values: s.enum.map(String) });
      else params.push({ name, type: 'number', min: s.minimum, max: s.maximum, unit: s.unit });
    }
    return { action, params, schema: option };
  });
}
