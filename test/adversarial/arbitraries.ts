import fc from 'fast-check';
import { z } from 'zod';
import { type DeviceKind, kinds } from '../../shared/kinds/index.ts';
import { commandReason } from '../../shared/messages.ts';
import { type UplinkChannel, uplinkChannels } from '../../shared/topics.ts';
import { allowedMetaIds, nastyStrings } from './nasty-corpus.ts';

/** fast-check arbitraries for uplink payloads: mostly plausible, with every field sometimes wrong. */

export const now = new Date('2026-06-01T12:00:00.000Z');
export const window = { now, maxAgeMs: 7 * 86_400_000, maxSkewMs: 300_000 };
export const gw = 'gw-prop-01';
const kindNames = Object.keys(kinds) as DeviceKind[];

/** JSON text that can also carry what JSON.stringify cannot: 1e309, -1e309, -0 (NaN becomes "NaN"). */
export function toJsonText(value: unknown): string {
  const text = JSON.stringify(value, (_key, v: unknown) => {
    if (typeof v !== 'number') return v;
    if (Number.isNaN(v)) return 'NaN';
    if (!Number.isFinite(v)) return `\u0001${v > 0 ? '1e309' : '-1e309'}\u0001`;
    return Object.is(v, -0) ? '\u0001-0\u0001' : v;
  });
  return (text ?? 'null').replace(/"\\u0001(-?1e309|-0)\\u0001"/g, '$1');
}

const isoWithOffset = (d: Date, minutes: number) => {
  const local = new Date(d.getTime() + minutes * 60_000).toISOString().slice(0, 23);
  const sign = minutes < 0 ? '-' : '+';
  const abs = Math.abs(minutes);
  return `${local}${sign}${String(Math.floor(abs / 60)).padStart(2, '0')}:${String(abs % 60).padStart(2, '0')}`;
};
const near = { min: new Date(now.getTime() - 9 * 86_400_000), max: new Date(now.getTime() + 3_600_000) };
export const timestampArb = fc.oneof(
  { weight: 6, arbitrary: fc.date({ ...near, noInvalidDate: true }).map((d) => d.toISOString()) },
  {
    weight: 2,
    arbitrary: fc
      .tuple(fc.date({ ...near, noInvalidDate: true }), fc.integer({ min: -23 * 60 - 59, max: 23 * 60 + 59 }))
      .map(([d, offset]) => isoWithOffset(d, offset)),
  },
  { weight: 1, arbitrary: fc.date({ noInvalidDate: true }).map((d) => d.toISOString()) },
  { weight: 1, arbitrary: fc.string() },
  {
    weight: 1,
    arbitrary: fc.constantFrom('0000-01-01T00:00:00Z', '2026-02-30T00:00:00Z', '2026-06-01T12:00:00'),
  },
);

export const anyValue = fc.oneof(fc.jsonValue({ maxDepth: 2 }), fc.double(), fc.string({ unit: 'binary' }));
const deviceIdArb = fc.oneof(
  { weight: 4, arbitrary: fc.stringMatching(/^[a-z]{1,8}-\d{1,6}$/) },
  fc.string({ unit: 'binary', maxLength: 140 }),
  fc.string({ unit: 'grapheme', minLength: 1 }),
  fc.constantFrom(...nastyStrings, ...allowedMetaIds),
  anyValue,
);

function metricArb(schema: z.ZodType): fc.Arbitrary<unknown> {
  let valid: fc.Arbitrary<unknown> = timestampArb;
  if (schema instanceof z.ZodNumber) {
    const min = schema.minValue ?? -1e9;
    const max = schema.maxValue ?? 1e9;
    valid = fc.oneof(
      {
        weight: 12,
        arbitrary: schema.isInt ? fc.integer({ min, max }) : fc.double({ min, max, noNaN: true }),
      },
      {
        weight: 1,
        arbitrary: fc.constantFrom(min, max, -0, min - 1, max + 1, max * (1 + Number.EPSILON), 0.5),
      },
      { weight: 1, arbitrary: fc.double() },
    );
  } else if (schema instanceof z.ZodEnum) valid = fc.constantFrom(...(schema.options as string[]));
  else if (schema instanceof z.ZodBoolean) valid = fc.boolean();
  return fc.oneof({ weight: 30, arbitrary: valid }, { weight: 1, arbitrary: anyValue });
}

/** Readings and events of a kind: mostly plausible, some with a field missing, extra or wrong. */
export function itemArb(type: 'reading' | 'event') {
  return fc.constantFrom(...kindNames).chain((kind) => {
    const spec = kinds[kind];
    const shape = spec.metrics.shape as Record<string, z.ZodType>;
    const metrics = fc.record(
      Object.fromEntries(Object.entries(shape).map(([name, schema]) => [name, metricArb(schema)])),
      { requiredKeys: [] },
    );
    const fields: Record<string, fc.Arbitrary<unknown>> = {
      deviceId: deviceIdArb,
      kind: fc.oneof({ weight: 9, arbitrary: fc.constant(kind) }, { weight: 1, arbitrary: anyValue }),
      ts: timestampArb,
      ...(type === 'reading'
        ? { metrics: fc.oneof({ weight: 9, arbitrary: metrics }, { weight: 1, arbitrary: anyValue }) }
        : {
            type: fc.oneof(fc.constantFrom(...(spec.events.options as string[])), anyValue),
            detail: fc.oneof(fc.string({ maxLength: 510 }), fc.constantFrom(...nastyStrings), anyValue),
          }),
    };
    const full = fc.record(fields, {
      requiredKeys: type === 'reading' ? Object.keys(fields) : ['deviceId', 'kind', 'ts', 'type'],
    });
    const extra = fc
      .tuple(full, fc.string(), anyValue)
      .map(([item, key, value]) => ({ ...item, [key]: value }));
    return fc.oneof(
      { weight: 8, arbitrary: full },
      { weight: 1, arbitrary: fc.record(fields, { requiredKeys: [] }) },
      { weight: 1, arbitrary: extra },
    );
  });
}

/** Mostly right, sometimes wrong: the valid value 9 times in 10. */
const mostly = <T>(valid: fc.Arbitrary<T>) =>
  fc.oneof({ weight: 9, arbitrary: valid }, { weight: 1, arbitrary: anyValue });

export const envelopeArb = (channel: 'telemetry' | 'events') =>
  fc.record({
    v: mostly(fc.constant(1)),
    gatewayId: mostly(fc.constant(gw)),
    sentAt: timestampArb,
    batchId: mostly(fc.string({ minLength: 1, maxLength: 64 })),
    [channel === 'telemetry' ? 'readings' : 'events']: fc.array(
      itemArb(channel === 'telemetry' ? 'reading' : 'event'),
      { maxLength: 12 },
    ),
  });

const count = mostly(
  fc.oneof(
    { weight: 20, arbitrary: fc.nat() },
    { weight: 1, arbitrary: fc.double({ min: 0 }) },
    { weight: 1, arbitrary: fc.integer() },
  ),
);
/** Free text, which no message may carry any more: a `detail` field is always refused. */
const detail = fc.option(fc.oneof(fc.string({ maxLength: 510 }), fc.constantFrom(...nastyStrings)), {
  nil: undefined,
  freq: 3,
});
const version = fc.stringMatching(/^[A-Za-z0-9.+_-]{1,64}$/);
/** The small messages: heartbeat, status, command result, configuration status. */
const smallArbs: Record<Exclude<UplinkChannel, 'telemetry' | 'events'>, fc.Arbitrary<unknown>> = {
  heartbeat: fc.record({
    v: mostly(fc.constant(1)),
    gatewayId: mostly(fc.constant(gw)),
    sentAt: timestampArb,
    uptime: count,
    queueDepth: count,
    droppedReadings: count,
    deviceCount: count,
    softwareVersion: mostly(fc.oneof(version, fc.string({ minLength: 1, maxLength: 64 }))),
    memoryRss: count,
    configVersion: count,
  }),
  status: fc.record(
    {
      v: mostly(fc.constant(1)),
      gatewayId: mostly(fc.constant(gw)),
      state: mostly(fc.constantFrom('online', 'offline')),
      ts: timestampArb,
      softwareVersion: fc.oneof(version, fc.string({ maxLength: 70 })),
    },
    { requiredKeys: ['v', 'gatewayId', 'state'] },
  ),
  'command-results': fc.record({
    v: mostly(fc.constant(1)),
    gatewayId: mostly(fc.constant(gw)),
    commandId: mostly(fc.uuid()),
    ts: timestampArb,
    status: mostly(fc.constantFrom('succeeded', 'failed', 'rejected')),
    reason: fc.option(mostly(fc.constantFrom(...commandReason.options)), { nil: undefined }),
    detail,
  }),
  'config-status': fc.record({
    v: mostly(fc.constant(1)),
    gatewayId: mostly(fc.constant(gw)),
    version: count,
    status: mostly(fc.constantFrom('applied', 'rejected')),
    ts: timestampArb,
    invalidFields: fc.option(
      mostly(fc.array(fc.stringMatching(/^[A-Za-z0-9_.]{1,100}$/), { minLength: 1, maxLength: 20 })),
      { nil: undefined },
    ),
    detail,
  }),
};

export const channelArb = fc.constantFrom(...uplinkChannels);
const rawPayloadArb = fc.oneof(
  fc.uint8Array({ maxLength: 200 }).map((bytes) => Buffer.from(bytes)),
  fc.string({ unit: 'binary' }).map((text) => Buffer.from(text)),
  fc.jsonValue().map((value) => Buffer.from(toJsonText(value))),
);
const text = (value: unknown) => Buffer.from(toJsonText(value));

/** A channel and a payload: raw garbage on any channel, or a message shaped for its channel (or another). */
export const uplinkArb: fc.Arbitrary<[UplinkChannel, Buffer]> = fc.oneof(
  fc.tuple(channelArb, rawPayloadArb),
  fc.tuple(fc.constant('telemetry' as const), envelopeArb('telemetry').map(text)),
  fc.tuple(fc.constant('events' as const), envelopeArb('events').map(text)),
  ...Object.entries(smallArbs).map(([channel, arb]) =>
    fc.tuple(fc.constant(channel as UplinkChannel), arb.map(text)),
  ),
  fc.tuple(channelArb, fc.oneof(envelopeArb('telemetry'), ...Object.values(smallArbs)).map(text)),
);
