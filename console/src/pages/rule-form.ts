import type { Rule, RuleInput } from '../api/types.ts';

/**
 * The rule form's fields and how a rule becomes them and back. Conditions stay JSON (they nest);
 * everything else is a field of its own. A server error's path (`condition.of.0.value`) is shown at
 * the field it begins with.
 */
export const durationFields = ['for', 'autoClearAfter', 'escalateAfter', 'minInterval'] as const;
export const fieldNames = [
  'id',
  'name',
  'description',
  'severity',
  'enabled',
  'target.kind',
  'target.districts',
  'condition',
  'clear',
  ...durationFields,
  'escalateTo',
  'channels',
] as const;
export type FieldName = (typeof fieldNames)[number];
export type Fields = Record<FieldName, string | boolean>;

const conditionText = (c: unknown) => (c === undefined ? '' : JSON.stringify(c, null, 2));

export function toFields(rule: Rule | undefined): Fields {
  const r: Partial<Rule> = rule ?? {};
  const target: Partial<Rule['target']> = r.target ?? {};
  return {
    id: String(r.id ?? ''),
    name: String(r.name ?? ''),
    description: String(r.description ?? ''),
    severity: String(r.severity ?? 'warning'),
    enabled: r.enabled !== false,
    'target.kind': target.kind ?? 'streetlight',
    'target.districts': (target.districts ?? []).join(', '),
    condition: conditionText(r.condition ?? { type: 'threshold', metric: '', op: '>', value: 0 }),
    clear: conditionText(r.clear),
    for: r.for ?? '',
    autoClearAfter: r.autoClearAfter ?? '',
    escalateAfter: r.escalateAfter ?? '',
    minInterval: r.minInterval ?? '',
    escalateTo: String(r.escalateTo ?? ''),
    channels: (r.channels ?? ['log']).join(', '),
  };
}

const list = (text: string) =>
  text
    .split(',')
    .map((s) => s.trim())
    .filter(Boolean);

/**
 * The rule to send: the fields over the rule as it was read (so what the form does not show, such
 * as schedule or group, is kept). A condition that is not JSON is a field error here.
 */
export function fromFields(
  fields: Fields,
  original: Rule | undefined,
): { rule: RuleInput } | { errors: Partial<Record<FieldName, string>> } {
  const errors: Partial<Record<FieldName, string>> = {};
  const parse = (name: 'condition' | 'clear') => {
    const text = String(fields[name]).trim();
    if (!text) return undefined;
    try {
      return JSON.parse(text);
    } catch (e) {
      errors[name] = (e as Error).message;
    }
  };
  const condition = parse('condition');
  const clear = parse('clear');
  if (Object.keys(errors).length) return { errors };
  const base: Partial<Rule> = original ?? {};
  const rule: Record<string, unknown> = {
    ...base,
    id: fields.id,
    name: fields.name,
    description: fields.description,
    severity: fields.severity,
    enabled: fields.enabled,
    target: {
      ...((base.target as object | undefined) ?? {}),
      kind: fields['target.kind'],
      districts: list(String(fields['target.districts'])),
    },
    condition,
    clear,
    channels: list(String(fields.channels)),
  };
  if (!(rule.target as { districts: string[] }).districts.length)
    delete (rule.target as { districts?: unknown }).districts;
  for (const name of [...durationFields, 'escalateTo'] as const)
    rule[name] = String(fields[name]).trim() || undefined;
  for (const [key, value] of Object.entries(rule)) if (value === undefined) delete rule[key];
  // The server checks the rule with its zod schema; its errors come back to the fields.
  return { rule: rule as unknown as RuleInput };
}

/** The field a server error's path belongs to (the longest field name it begins with), or none. */
export function fieldOf(path: string): FieldName | undefined {
  return [...fieldNames]
    .sort((a, b) => b.length - a.length)
    .find((name) => path === name || path.startsWith(`${name}.`));
}
