import { describe, expect, it } from 'vitest';
import type { Rule } from '../../../console/src/api/types.ts';
import {
  type Conditions,
  type Fields,
  fromFields,
  placeErrors,
  scalar,
  switchMode,
  toConditions,
  toFields,
  visibleFields,
} from '../../../console/src/pages/rule-form.ts';

/** The console's rule form: fields from a rule and back, checked by the API's zod schema. */
const binFull = {
  id: 'bin-full',
  name: 'Bin above 80 %',
  description: '',
  severity: 'warning',
  target: { kind: 'wasteBin', districts: ['Centrum'] },
  condition: { type: 'threshold', metric: 'fillingLevel', op: '>', value: 80 },
  clear: { type: 'threshold', metric: 'fillingLevel', op: '<', value: 20 },
  for: '10m',
  schedule: { type: 'cron', start: '0 6 * * *', end: '0 22 * * *' },
  perOccurrence: false,
  channels: ['log'],
  enabled: true,
} as Rule;

function edit(rule: Rule | undefined, change: (f: Fields, c: Conditions) => void) {
  const fields = toFields(rule);
  const conditions = toConditions(rule);
  change(fields, conditions);
  return fromFields(fields, conditions, rule);
}

describe('the rule form', () => {
  it.each([
    ['a threshold, with what the form does not show (schedule) kept', binFull],
    [
      'a composite condition, as JSON',
      {
        ...binFull,
        condition: {
          type: 'all',
          of: [
            { type: 'absence', after: '1h' },
            { type: 'event', events: ['tilted'] },
          ],
        },
        clear: undefined,
      },
    ],
    ['a between', { ...binFull, condition: { type: 'between', metric: 'temperature', min: -5, max: 40 } }],
    ['an age', { ...binFull, condition: { type: 'age', metric: 'dateLastEmptying', olderThan: '7d' } }],
    ['an event', { ...binFull, condition: { type: 'event', events: ['tilted', 'fireRisk'] } }],
    [
      'a threshold on a word',
      { ...binFull, condition: { type: 'threshold', metric: 'status', op: '==', value: 'burning' } },
    ],
  ])('gives back %s unchanged', (_, rule) => {
    const cleaned = JSON.parse(JSON.stringify(rule)) as Rule;
    expect(edit(cleaned, () => {})).toEqual({ rule: cleaned });
  });

  it('shows the common condition types as fields and the others as JSON', () => {
    expect(toConditions(binFull).condition).toMatchObject({
      mode: 'threshold',
      metric: 'fillingLevel',
      value: '80',
    });
    expect(
      toConditions({ ...binFull, condition: { type: 'not', of: { type: 'absence', after: '1h' } } } as Rule)
        .condition.mode,
    ).toBe('json');
    expect(toConditions({ ...binFull, clear: undefined } as Rule).clear.mode).toBe('none');
  });

  it.each<[string, string, RegExp, (f: Fields, c: Conditions) => void]>([
    ['an empty name', 'name', /./, (f) => (f.name = '')],
    ['an id with capitals', 'id', /lowercase/, (f) => (f.id = 'Bin-Full')],
    ['a duration in words', 'for', /duration/, (f) => (f.for = '10 minutes')],
    ['a threshold without its metric', 'condition.metric', /./, (_, c) => (c.condition.metric = '')],
    [
      'a between without its lowest value',
      'condition.min',
      /number/,
      (_, c) => Object.assign(c.condition, { mode: 'between', metric: 'temperature', min: '', max: '40' }),
    ],
    [
      'a between with a word for a bound',
      'condition.min',
      /number/,
      (_, c) =>
        Object.assign(c.condition, { mode: 'between', metric: 'temperature', min: 'cold', max: '40' }),
    ],
    [
      'an absence in words',
      'condition.after',
      /duration/,
      (_, c) => Object.assign(c.condition, { mode: 'absence', after: 'soon' }),
    ],
    [
      'an event condition with no event',
      'condition.events',
      /./,
      (_, c) => Object.assign(c.condition, { mode: 'event', events: [] }),
    ],
    [
      'JSON that does not parse',
      'condition',
      /JSON/,
      (_, c) => Object.assign(c.condition, { mode: 'json', json: '{"type": ' }),
    ],
    [
      'a mistake deep in JSON, with its path',
      'condition',
      /^of\.0\.op: /,
      (_, c) =>
        Object.assign(c.condition, {
          mode: 'json',
          json: '{"type": "all", "of": [{"type": "threshold", "metric": "fillingLevel", "op": "above", "value": 1}]}',
        }),
    ],
    ['a clear condition without its value', 'clear.value', /./, (_, c) => (c.clear.value = '')],
  ])('refuses %s at field %s', (_, field, message, change) => {
    const result = edit(binFull, change);
    expect(result).toHaveProperty('errors');
    const errors = (result as { errors: Record<string, string> }).errors;
    expect(errors[field]).toMatch(message);
  });

  it.each([
    ['80', 80],
    ['-2.5', -2.5],
    ['true', true],
    ['false', false],
    ['defectiveLamp', 'defectiveLamp'],
    ['', undefined],
    [' 7 ', 7],
  ])('reads a threshold value %j as %j', (text, value) => {
    expect(scalar(text)).toEqual(value);
  });

  it("places the server's errors at the fields shown, the others on the form", () => {
    const visible = visibleFields(toConditions(binFull));
    expect(
      placeErrors(
        [
          ['condition.value', 'expected number'],
          ['target.districts.0', 'unknown district'],
          ['schedule.start', 'not a valid node-cron expression'],
        ],
        visible,
      ),
    ).toEqual({
      'condition.value': 'expected number',
      'target.districts': '0: unknown district',
      form: 'schedule.start: not a valid node-cron expression',
    });
  });
});

describe('switching a condition between fields and JSON', () => {
  it('carries what the fields say into the JSON, and JSON of the chosen type back into fields', () => {
    const fields = toConditions(binFull).condition;
    const json = switchMode({ ...fields, value: '85' }, 'json');
    expect(JSON.parse(json.json)).toEqual({ type: 'threshold', metric: 'fillingLevel', op: '>', value: 85 });
    expect(switchMode(json, 'threshold')).toMatchObject({
      mode: 'threshold',
      metric: 'fillingLevel',
      value: '85',
    });
    // JSON of another type keeps the fields as they were.
    expect(switchMode({ ...json, json: '{"type": "absence", "after": "1h"}' }, 'threshold')).toMatchObject({
      mode: 'threshold',
      value: '85',
    });
  });
});
