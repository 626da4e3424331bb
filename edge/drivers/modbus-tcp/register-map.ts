import { z } from 'zod';
import { type DeviceKind, deviceKind, kinds } from '../../../shared/kinds/index.ts';
import { registerTypes } from './values.ts';

/**
 * A register-map file: how one device model's Modbus registers become the readings of one of our
 * kinds, and which registers a command writes. One JSON file per model (maps/ ships some, a city
 * adds its own); docs/drivers.md describes the format.
 */

/** A protocol address (0-65535, as on the wire: holding register 40001 is 0), or hex as `0x4000`. */
const address = z.union([
  z.int().min(0).max(0xffff),
  z
    .string()
    .regex(/^0x[0-9A-Fa-f]{1,4}$/, 'an address: 0-65535 or hex such as 0x4000')
    .transform((hex) => Number.parseInt(hex, 16)),
]);
const wordOrder = z.enum(['high-first', 'low-first']);
const scale = z
  .number()
  .refine((s) => s !== 0 && Number.isFinite(s), 'a scale is a number other than 0')
  .default(1);
const raw = z.string().regex(/^-?\d{1,10}$/, 'a raw value: an integer');

const readingRegister = z
  .object({
    metric: z.string(),
    table: z.enum(['holding', 'input', 'coil', 'discrete']),
    address,
    /** Registers only: the value's type (default u16). Coils and discrete inputs are one bit. */
    type: z.enum(registerTypes).optional(),
    wordOrder: wordOrder.optional(),
    /** Only these bits of an integer: `width` bits from bit `shift` (0 the least significant). */
    bits: z
      .object({ shift: z.int().min(0).max(31), width: z.int().min(1).max(32) })
      .strict()
      .optional(),
    /** A number metric is `raw × scale + offset`, in `unit` (which must be the metric's). */
    scale,
    offset: z.number().default(0),
    unit: z.string().optional(),
    /** An enumeration or boolean metric: the word (or boolean) each raw value stands for. */
    values: z.record(raw, z.union([z.string(), z.boolean()])).optional(),
    /** What any other raw value stands for; without it, another raw value is an invalid value. */
    otherwise: z.union([z.string(), z.boolean()]).optional(),
    note: z.string().optional(),
  })
  .strict();
export type ReadingRegister = z.infer<typeof readingRegister>;

const registerWrite = z
  .object({
    table: z.enum(['holding', 'coil']),
    address,
    type: z.enum(registerTypes).optional(),
    wordOrder: wordOrder.optional(),
    /** The command's field whose value is written (`level`, `kW`, `on`), or a constant `value`. */
    from: z.string().optional(),
    value: z.number().optional(),
    /** An enumeration field (or a boolean one, to a register): the raw value of each of its values. */
    values: z.record(z.string(), z.number()).optional(),
    scale,
    offset: z.number().default(0),
    note: z.string().optional(),
  })
  .strict();
export type RegisterWrite = z.infer<typeof registerWrite>;

export const registerMapFile = z
  .object({
    /** The device model, as its maker names it. */
    model: z.string().min(1),
    /** The public document the registers come from (title, version, maker). */
    source: z.string().min(1),
    kind: deviceKind,
    /** The word order of two-register values, unless a register says otherwise. */
    wordOrder: wordOrder.default('high-first'),
    readings: z.array(readingRegister).min(1),
    /** By command action of the kind: the registers it writes, in order. */
    commands: z.record(z.string(), z.array(registerWrite).min(1)).default({}),
  })
  .strict()
  .superRefine((map, ctx) => {
    const issue = (path: PropertyKey[], message: string) => ctx.addIssue({ code: 'custom', path, message });
    checkReadings(map.kind, map.readings, (i, path, message) => issue(['readings', i, ...path], message));
    for (const [action, writes] of Object.entries(map.commands))
      checkWrites(map.kind, action, writes, (i, path, message) =>
        issue(['commands', action, i, ...path], message),
      );
  });
export type RegisterMap = z.infer<typeof registerMapFile>;

type Report = (index: number, path: PropertyKey[], message: string) => void;

/** What a metric or a command field is: a number (with its unit), an enumeration, a boolean, or else. */
export function valueKind(schema: z.ZodType | undefined): {
  type: string;
  unit?: string;
  options?: string[];
} {
  if (!schema) return { type: 'absent' };
  const def = schema.def as { type: string; entries?: Record<string, string> };
  const unit = (schema.meta() as { unit?: string } | undefined)?.unit;
  return {
    type: def.type,
    ...(unit ? { unit } : {}),
    ...(def.entries ? { options: Object.values(def.entries) } : {}),
  };
}

function metricSchema(kind: DeviceKind, metric: string): z.ZodType | undefined {
  return (kinds[kind].metrics.shape as Record<string, z.ZodType>)[metric];
}

function checkReadings(kind: DeviceKind, readings: ReadingRegister[], report: Report): void {
  const seen = new Set<string>();
  readings.forEach((r, i) => {
    const metric = valueKind(metricSchema(kind, r.metric));
    if (seen.has(r.metric)) report(i, ['metric'], `${r.metric} is read twice`);
    seen.add(r.metric);
    const bit = r.table === 'coil' || r.table === 'discrete';
    if (bit && (r.type || r.wordOrder || r.bits))
      report(i, ['table'], `a ${r.table} is one bit: no type, wordOrder or bits`);
    if (r.bits && r.type === 'f32') report(i, ['bits'], 'bits of a float mean nothing');
    const width = r.type === 'u32' || r.type === 'i32' ? 32 : 16;
    if (r.bits && r.bits.shift + r.bits.width > width)
      report(i, ['bits'], `past the ${width} bits of the value`);
    const mapped = [...Object.values(r.values ?? {}), ...(r.otherwise === undefined ? [] : [r.otherwise])];
    switch (metric.type) {
      case 'number':
        if (r.unit !== metric.unit)
          report(i, ['unit'], `${r.metric} is in ${metric.unit}: the unit must say so`);
        if (r.values || r.otherwise !== undefined)
          report(i, ['values'], `${r.metric} is a number: no values`);
        break;
      case 'enum':
        if (!r.values)
          report(i, ['values'], `${r.metric} is one of ${metric.options?.join(', ')}: map the raw values`);
        for (const word of mapped)
          if (!metric.options?.includes(word as string))
            report(i, ['values'], `${String(word)} is not one of ${r.metric}'s values`);
        break;
      case 'boolean':
        if (mapped.some((v) => typeof v !== 'boolean')) report(i, ['values'], `${r.metric} is true or false`);
        break;
      default:
        report(i, ['metric'], `${kind} has no metric ${r.metric} that registers can give`);
    }
  });
}

function checkWrites(kind: DeviceKind, action: string, writes: RegisterWrite[], report: Report): void {
  const command = (kinds[kind].commands.options as z.ZodObject[]).find(
    (o) => (o.shape.action as z.ZodLiteral).value === action,
  );
  if (!command) {
    report(0, [], `${kind} has no command ${action}`);
    return;
  }
  writes.forEach((w, i) => {
    if ((w.from === undefined) === (w.value === undefined))
      report(i, ['from'], 'write either a field (from) or a value');
    if (w.table === 'coil' && (w.type || w.wordOrder))
      report(i, ['table'], 'a coil is one bit: no type or wordOrder');
    if (w.from === undefined) return;
    const field = valueKind(
      w.from === 'action' ? undefined : (command.shape[w.from] as z.ZodType | undefined),
    );
    if (field.type === 'absent') report(i, ['from'], `${action} has no field ${w.from}`);
    if (field.type === 'enum') {
      for (const option of field.options ?? [])
        if (w.values?.[option] === undefined)
          report(i, ['values'], `the raw value of ${w.from} ${option} is missing`);
    }
    if (
      field.type === 'boolean' &&
      w.table === 'holding' &&
      (w.values?.true === undefined || w.values?.false === undefined)
    )
      report(i, ['values'], `the raw values of ${w.from} true and false are missing`);
    if (field.type === 'number' && w.table === 'coil')
      report(i, ['table'], `${w.from} is a number: not a coil`);
  });
}
