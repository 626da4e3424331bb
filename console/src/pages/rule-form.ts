import { deviceKind } from '../../../shared/kinds/index.ts';
import { type Condition, ruleFields } from '../../../shared/rules/schema.ts';
import type { Rule, RuleInput } from '../api/types.ts';

/**
 * The rule form's fields, how a rule becomes them and back, and its validation: by the same zod
 * schema as the API (shared/rules/schema.ts), each issue shown at the field its path names. The
 * common condition types have fields of their own; the rest (all, any, not, in, rateOfChange,
 * aggregate) are edited as JSON. What the form does not show (schedule, group, ...) is kept from
 * the rule as it was read.
 */
export const durationFields = ['for', 'autoClearAfter', 'escalateAfter', 'minInterval'] as const;
export const scalarFields = [
  'id',
  'name',
  'description',
  'severity',
  'enabled',
  'target.kind',
  'target.districts',
  ...durationFields,
  'escalateTo',
  'channels',
] as const;
export type ScalarField = (typeof scalarFields)[number];
export type Fields = Record<ScalarField, string | boolean>;

/** Condition types with fields of their own, and the fields each has. */
export const partsOf = {
  threshold: ['metric', 'op', 'value'],
  between: ['metric', 'min', 'max'],
  absence: ['after'],
  age: ['metric', 'olderThan'],
  event: ['events'],
} as const;
export type FieldType = keyof typeof partsOf;
export const fieldTypes = Object.keys(partsOf) as FieldType[];
/** `json`: any condition as JSON text; `none`: no clear condition (the clear slot only). */
export type ConditionMode = FieldType | 'json' | 'none';
export type ConditionSlot = 'condition' | 'clear';
export const comparisons = ['>', '>=', '<', '<=', '==', '!='] as const;

export interface ConditionFields {
  mode: ConditionMode;
  metric: string;
  op: string;
  value: string;
  min: string;
  max: string;
  after: string;
  olderThan: string;
  events: string[];
  json: string;
}
export type Conditions = Record<ConditionSlot, ConditionFields>;

const blank: ConditionFields = {
  mode: 'threshold',
  metric: '',
  op: '>',
  value: '',
  min: '',
  max: '',
  after: '',
  olderThan: '',
  events: [],
  json: '',
};

export function conditionFields(c: Condition | undefined, slot: ConditionSlot): ConditionFields {
  if (!c) return { ...blank, mode: slot === 'clear' ? 'none' : 'threshold' };
  const json = JSON.stringify(c, null, 2);
  switch (c.type) {
    case 'threshold':
      return { ...blank, mode: c.type, metric: c.metric, op: c.op, value: String(c.value), json };
    case 'between':
      return { ...blank, mode: c.type, metric: c.metric, min: String(c.min), max: String(c.max), json };
    case 'absence':
      return { ...blank, mode: c.type, after: c.after, json };
    case 'age':
      return { ...blank, mode: c.type, metric: c.metric, olderThan: c.olderThan, json };
    case 'event':
      return { ...blank, mode: c.type, events: [...c.events], json };
    default:
      return { ...blank, mode: 'json', json };
  }
}

/** A threshold's value as typed: a number, true or false, a word (e.g. defectiveLamp); empty is missing. */
export function scalar(text: string): number | string | boolean | undefined {
  const t = text.trim();
  if (t === '') return undefined;
  if (t === 'true' || t === 'false') return t === 'true';
  return Number.isFinite(Number(t)) ? Number(t) : t;
}
/** A number field: empty is missing (the schema says so), anything else is read as a number. */
const number = (text: string) => (text.trim() === '' ? undefined : Number(text));

/** The condition the fields describe; JSON that does not parse is an error at the slot. */
export function conditionOf(c: ConditionFields): { condition?: unknown; error?: string } {
  switch (c.mode) {
    case 'none':
      return {};
    case 'json':
      try {
        return { condition: JSON.parse(c.json) };
      } catch (e) {
        return { error: (e as Error).message };
      }
    case 'threshold':
      return { condition: { type: c.mode, metric: c.metric, op: c.op, value: scalar(c.value) } };
    case 'between':
      return { condition: { type: c.mode, metric: c.metric, min: number(c.min), max: number(c.max) } };
    case 'absence':
      return { condition: { type: c.mode, after: c.after.trim() } };
    case 'age':
      return { condition: { type: c.mode, metric: c.metric, olderThan: c.olderThan.trim() } };
    case 'event':
      return { condition: { type: c.mode, events: c.events } };
  }
}

/**
 * Another type chosen for a condition: to JSON, the JSON of what the fields say; from JSON to the
 * type the JSON has, its fields; otherwise the fields as they are.
 */
export function switchMode(c: ConditionFields, mode: ConditionMode): ConditionFields {
  if (mode === 'json' && c.mode !== 'json' && c.mode !== 'none') {
    const { condition } = conditionOf(c);
    return { ...c, mode, json: JSON.stringify(condition, null, 2) };
  }
  if (c.mode === 'json' && mode !== 'none') {
    const { condition } = conditionOf(c);
    if ((condition as { type?: unknown } | undefined)?.type === mode)
      return { ...conditionFields(condition as Condition, 'condition'), json: c.json };
  }
  return { ...c, mode };
}

export function toFields(rule: Rule | undefined): Fields {
  const r: Partial<Rule> = rule ?? {};
  return {
    id: r.id ?? '',
    name: r.name ?? '',
    description: r.description ?? '',
    severity: r.severity ?? 'warning',
    enabled: r.enabled !== false,
    // A new rule starts on the first kind of the list; the form offers every kind.
    'target.kind': r.target?.kind ?? deviceKind.options[0] ?? '',
    'target.districts': (r.target?.districts ?? []).join(', '),
    for: r.for ?? '',
    autoClearAfter: r.autoClearAfter ?? '',
    escalateAfter: r.escalateAfter ?? '',
    minInterval: r.minInterval ?? '',
    escalateTo: r.escalateTo ?? '',
    channels: (r.channels ?? ['log']).join(', '),
  };
}

export function toConditions(rule: Rule | undefined): Conditions {
  return {
    condition: conditionFields(rule?.condition as Condition | undefined, 'condition'),
    clear: conditionFields(rule?.clear as Condition | undefined, 'clear'),
  };
}

const list = (text: string) =>
  text
    .split(',')
    .map((s) => s.trim())
    .filter(Boolean);

/** The field names shown, for placing errors: a condition in fields mode shows its parts. */
export function visibleFields(conditions: Conditions): string[] {
  return [
    ...scalarFields,
    ...(['condition', 'clear'] as const).flatMap((slot) => {
      const mode = conditions[slot].mode;
      const parts: readonly string[] = mode in partsOf ? partsOf[mode as FieldType] : [];
      return [slot, `${slot}.type`, ...parts.map((p) => `${slot}.${p}`)];
    }),
  ];
}

/** The field an error's dotted path belongs to (the longest shown name it begins with), or none. */
export function fieldOf(path: string, visible: readonly string[]): string | undefined {
  return [...visible]
    .sort((a, b) => b.length - a.length)
    .find((name) => path === name || path.startsWith(`${name}.`));
}

export type FormErrors = Record<string, string>;

/** Each error at its field (the rest of its path before the message), the others for the form. */
export function placeErrors(issues: Iterable<[string, string]>, visible: readonly string[]): FormErrors {
  const errors: FormErrors = {};
  const rest: string[] = [];
  for (const [path, message] of issues) {
    const field = fieldOf(path, visible);
    const text = field && path !== field ? `${path.slice(field.length + 1)}: ${message}` : message;
    if (field && !errors[field]) errors[field] = text;
    else if (!field) rest.push(path ? `${path}: ${message}` : message);
  }
  if (rest.length) errors.form = rest.join('; ');
  return errors;
}

/**
 * The rule to send, validated by the API's schema, or the errors by field. The fields go over the
 * rule as it was read, so what the form does not show is kept.
 */
export function fromFields(
  fields: Fields,
  conditions: Conditions,
  original: Rule | undefined,
): { rule: RuleInput } | { errors: FormErrors } {
  const errors: FormErrors = {};
  const built: Record<string, unknown> = { ...(original ?? {}) };
  for (const slot of ['condition', 'clear'] as const) {
    const { condition, error } = conditionOf(conditions[slot]);
    if (error) errors[slot] = error;
    built[slot] = condition;
  }
  if (Object.keys(errors).length) return { errors };
  const districts = list(String(fields['target.districts']));
  Object.assign(built, {
    id: String(fields.id).trim(),
    name: String(fields.name).trim(),
    description: String(fields.description),
    severity: fields.severity,
    enabled: fields.enabled,
    target: { ...(original?.target ?? {}), kind: fields['target.kind'], districts },
    channels: list(String(fields.channels)),
  });
  if (!districts.length) delete (built.target as { districts?: unknown }).districts;
  for (const name of [...durationFields, 'escalateTo'] as const)
    built[name] = String(fields[name]).trim() || undefined;
  for (const [key, value] of Object.entries(built)) if (value === undefined) delete built[key];
  const checked = ruleFields.safeParse(built);
  if (!checked.success)
    return {
      errors: placeErrors(
        checked.error.issues.map((i) => [i.path.join('.'), i.message]),
        visibleFields(conditions),
      ),
    };
  return { rule: built as RuleInput };
}
