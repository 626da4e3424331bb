import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import { defineKind, quantity } from '../../../../shared/kinds/kind.ts';

const thermometer = defineKind({
  kind: 'thermometer',
  fiwareType: 'WeatherObserved',
  description: 'thermometer',
  metrics: z.object({
    temperature: quantity('°C', 'Air temperature', -50, 60),
    placement: z.enum(['indoor', 'outdoor']),
  }),
  events: z.enum(['frost']),
  commands: z.discriminatedUnion('action', [z.object({ action: z.literal('calibrate') }).strict()]),
  eventValues: z.object({}),
  healthy: (m) => (m.temperature ?? 0) > -40,
  example: { deviceId: 't-1', metrics: { temperature: 4 } },
  counts: {},
  openData: { theme: 'ENVI' },
});

/** Defines a kind with the given metrics and event values (the rest is filler). */
const defineWith = (kind: string, metrics: z.ZodObject, eventValues: z.ZodObject) => () =>
  defineKind({
    kind,
    fiwareType: 'Device',
    description: kind,
    metrics,
    events: z.enum(['happened']),
    commands: z.discriminatedUnion('action', [z.object({ action: z.literal('reset') }).strict()]),
    eventValues,
    healthy: () => true,
    example: { deviceId: 'x-1', metrics: {} },
    counts: {},
    openData: { theme: 'ENVI' },
  });

const TS = '2026-11-22T16:00:00Z';

describe('defineKind reading', () => {
  it('accepts a reading with a subset of the metrics', () => {
    const value = { deviceId: 't-1', kind: 'thermometer', ts: TS, metrics: { temperature: -3.5 } };
    expect(thermometer.reading.parse(value)).toEqual(value);
  });

  it('rejects an empty metrics object', () => {
    const result = thermometer.reading.safeParse({
      deviceId: 't-1',
      kind: 'thermometer',
      ts: TS,
      metrics: {},
    });
    expect(result.success).toBe(false);
    expect(result.error?.issues[0]?.message).toBe('a reading carries at least one metric');
  });

  it('rejects unknown metrics and unknown fields on the reading', () => {
    const base = { deviceId: 't-1', kind: 'thermometer', ts: TS, metrics: { temperature: 1 } };
    expect(
      thermometer.reading.safeParse({ ...base, metrics: { temperature: 1, humidity: 80 } }).success,
    ).toBe(false);
    expect(thermometer.reading.safeParse({ ...base, location: 'x' }).success).toBe(false);
  });

  it('rejects another kind, a bad device id and a bad timestamp', () => {
    const base = { deviceId: 't-1', kind: 'thermometer', ts: TS, metrics: { temperature: 1 } };
    expect(thermometer.reading.safeParse({ ...base, kind: 'streetlight' }).success).toBe(false);
    expect(thermometer.reading.safeParse({ ...base, deviceId: 't/1' }).success).toBe(false);
    expect(thermometer.reading.safeParse({ ...base, ts: 'now' }).success).toBe(false);
    const { ts: _, ...noTs } = base;
    expect(thermometer.reading.safeParse(noTs).success).toBe(false);
  });

  it('registers the reading schema under a JSON Schema id', () => {
    expect(thermometer.reading.meta()?.id).toBe('thermometerReading');
  });
});

describe('defineKind event', () => {
  const base = { deviceId: 't-1', kind: 'thermometer', ts: TS, type: 'frost' };

  it('accepts a known type', () => {
    expect(thermometer.event.safeParse(base).success).toBe(true);
  });

  it('rejects unknown types, free text (no detail field any more) and extra fields', () => {
    expect(thermometer.event.safeParse({ ...base, type: 'heat' }).success).toBe(false);
    expect(thermometer.event.safeParse({ ...base, detail: 'below 0 °C' }).success).toBe(false);
    expect(thermometer.event.safeParse({ ...base, extra: 1 }).success).toBe(false);
  });

  it('refuses to define a kind whose event values could carry text', () => {
    expect(
      defineWith('chatty', z.object({ level: z.number() }), z.object({ note: z.string().max(20) })),
    ).toThrow(
      'kind chatty: event value note is a string; event values are numbers, booleans or enumerations, never free text',
    );
  });

  it('refuses to define a kind with a metric that could carry text', () => {
    expect(defineWith('labelled', z.object({ label: z.string().max(20) }), z.object({}))).toThrow(
      'kind labelled: metric label is a string; metrics are numbers, booleans or enumerations (or timestamps), never free text',
    );
  });

  it('has no values unless the kind declares them; declared values are checked, each optional', () => {
    expect(thermometer.event.safeParse({ ...base, values: { depth: 3 } }).success).toBe(false);
    expect(Object.keys(z.toJSONSchema(thermometer.event).properties ?? {})).not.toContain('values');
    const gauge = defineKind({
      kind: 'gauge',
      fiwareType: 'Device',
      description: 'gauge',
      metrics: z.object({ level: quantity('m', 'Water level', 0, 10) }),
      events: z.enum(['flood']),
      eventValues: z.object({
        level: quantity('m', 'Level at the alarm', 0, 10),
        cause: z.enum(['rain', 'tide']),
      }),
      commands: z.discriminatedUnion('action', [z.object({ action: z.literal('calibrate') }).strict()]),
      healthy: () => true,
      example: { deviceId: 'g-1', metrics: { level: 1 } },
      counts: {},
      openData: { theme: 'ENVI' },
    });
    const flood = { deviceId: 'g-1', kind: 'gauge', ts: TS, type: 'flood' };
    expect(gauge.event.safeParse({ ...flood, values: { level: 4.2 } }).success).toBe(true);
    expect(gauge.event.safeParse({ ...flood, values: { level: 4.2, cause: 'tide' } }).success).toBe(true);
    expect(gauge.event.safeParse({ ...flood, values: { level: 11 } }).success).toBe(false);
    expect(gauge.event.safeParse({ ...flood, values: { cause: 'snow' } }).success).toBe(false);
    expect(gauge.event.safeParse({ ...flood, values: { depth: 1 } }).success).toBe(false);
    expect(gauge.event.safeParse({ ...flood, values: {} }).success).toBe(false);
  });
});

describe('defineKind command', () => {
  it('accepts a declared action and rejects others', () => {
    const base = { deviceId: 't-1', kind: 'thermometer' };
    expect(thermometer.command.safeParse({ ...base, command: { action: 'calibrate' } }).success).toBe(true);
    expect(thermometer.command.safeParse({ ...base, command: { action: 'reboot' } }).success).toBe(false);
    expect(thermometer.command.safeParse({ ...base, command: { action: 'calibrate', x: 1 } }).success).toBe(
      false,
    );
  });
});

describe('quantity', () => {
  const q = quantity('W', 'Power', 0, 10);

  it('documents its unit and bounds in the schema', () => {
    expect(q.meta()).toEqual({ unit: 'W', description: 'Power [W]' });
  });

  it('includes both bounds and rejects what is outside or not a finite number', () => {
    expect(q.safeParse(0).success).toBe(true);
    expect(q.safeParse(10).success).toBe(true);
    expect(q.safeParse(-0.001).success).toBe(false);
    expect(q.safeParse(10.001).success).toBe(false);
    expect(q.safeParse(Number.NaN).success).toBe(false);
    expect(q.safeParse(Number.POSITIVE_INFINITY).success).toBe(false);
    expect(q.safeParse('5').success).toBe(false);
  });
});
