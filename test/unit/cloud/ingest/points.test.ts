import { dateToProtocolTimestamp, Point } from '@influxdata/influxdb-client';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import { eventPoint, heartbeatPoint, readingLine } from '../../../../cloud/ingest/points.ts';
import type { DevicePlacement } from '../../../../cloud/registry/placement.ts';
import { eventMeasurement, gatewayHealthMeasurement } from '../../../../cloud/storage/measurements.ts';
import { toLine } from '../../../../cloud/storage/point-writer.ts';
import {
  type DeviceEvent,
  kinds,
  type Reading,
  reading as readingSchema,
} from '../../../../shared/kinds/index.ts';
import type { GatewayHeartbeat } from '../../../../shared/messages.ts';
import { validEvent, validHeartbeat, validReadings } from '../../fixtures.ts';

/** Serialises as the platform's WriteApi does: it is created with precision 'ms'. */
const line = (point: Point) =>
  point.toLineProtocol({ convertTime: (time) => dateToProtocolTimestamp.ms(time as Date) }) ?? '';

/** Splits a line into measurement+tags, fields and timestamp (none of the test values contain unescaped spaces). */
function parts(protocolLine: string) {
  const match = /^((?:[^ \\]|\\.)+) (.+) (\d+)$/.exec(protocolLine);
  if (!match) throw new Error(`not a line protocol line: ${protocolLine}`);
  const [, head = '', fields = '', ts = ''] = match;
  const [measurement, ...tags] = head.split(/(?<!\\),/);
  return { measurement, tags, fields, ts: Number(ts) };
}

const placement: DevicePlacement = { gatewayId: 'gw-centrum-01', district: 'centrum' };

/** The client library's own serialisation of a reading: the reference `readingLine` must match. */
function libraryPoint(reading: Reading, at: DevicePlacement): Point {
  const point = new Point(reading.kind)
    .tag('device', reading.deviceId)
    .tag('gateway', at.gatewayId)
    .tag('kind', reading.kind)
    .tag('district', at.district);
  for (const [name, value] of Object.entries(reading.metrics)) {
    if (typeof value === 'number') point.floatField(name, value);
    else if (typeof value === 'boolean') point.booleanField(name, value);
    else point.stringField(name, value);
  }
  return point.timestamp(new Date(reading.ts));
}

const awkward = fc.string({
  unit: fc.constantFrom('a', ' ', ',', '=', '"', "'", 'ü', '\\', '\n', '😀', 'é'),
});
const textArb = fc.oneof(fc.string({ unit: 'grapheme', minLength: 1 }), awkward);

/** Readings of every kind with any subset of metrics, values inside their bounds, awkward ids. */
const readingArb = fc.constantFrom(...Object.values(kinds)).chain((k) => {
  const metric = (schema: z.ZodType): fc.Arbitrary<unknown> => {
    if (schema instanceof z.ZodNumber)
      return fc.double({ min: schema.minValue ?? -1e9, max: schema.maxValue ?? 1e9, noNaN: true });
    if (schema instanceof z.ZodEnum) return fc.constantFrom(...(schema.options as string[]));
    if (schema instanceof z.ZodBoolean) return fc.boolean();
    return fc.date({ noInvalidDate: true }).map((d) => d.toISOString());
  };
  const shape = k.metrics.shape as Record<string, z.ZodType>;
  return fc.record({
    deviceId: textArb,
    kind: fc.constant(k.kind),
    ts: fc.date({ noInvalidDate: true, min: new Date(0) }).map((d) => d.toISOString()),
    metrics: fc.record(
      Object.fromEntries(Object.entries(shape).map(([name, schema]) => [name, metric(schema)])),
      {
        requiredKeys: [],
      },
    ),
  });
});

describe('readingLine', () => {
  it('is byte for byte what the client library writes for every valid reading', () => {
    fc.assert(
      fc.property(readingArb, textArb, textArb, (candidate, district, otherDistrict) => {
        const parsed = readingSchema.safeParse(candidate);
        fc.pre(parsed.success);
        const valid = parsed.data as Reading;
        // The same placement object before and after its device moved: the cached head must follow.
        const at: DevicePlacement = { gatewayId: 'gw-1', district };
        expect(readingLine(valid, at)).toBe(line(libraryPoint(valid, at)));
        at.district = otherDistrict;
        expect(readingLine(valid, at)).toBe(line(libraryPoint(valid, at)));
      }),
      { numRuns: 2_000 },
    );
  });

  it('writes measurement = kind, the four device tags and the reading time in ms', () => {
    const reading = { ...validReadings.camera, ts: '2026-11-22T17:00:00.123+01:00' } as Reading;
    const p = parts(readingLine(reading, placement));
    expect(p.measurement).toBe('camera');
    expect(p.tags.sort()).toEqual([
      'device=cam-000003',
      'district=centrum',
      'gateway=gw-centrum-01',
      'kind=camera',
    ]);
    expect(p.ts).toBe(Date.parse('2026-11-22T16:00:00.123Z'));
  });

  it('escapes space, comma and equals sign in tag values so they round-trip', () => {
    const reading = { ...validReadings.camera, deviceId: 'lamp 1,a=b' } as Reading;
    const text = readingLine(reading, { gatewayId: 'gw-1', district: 'Sint-Pieters ,=' });
    expect(text).toContain(',device=lamp\\ 1\\,a\\=b,');
    expect(text).toContain(',district=Sint-Pieters\\ \\,\\=,');
    const p = parts(text);
    expect(p.tags).toHaveLength(4);
    const unescapeTag = (s: string) => s.replace(/\\(.)/g, '$1');
    expect(p.tags.map(unescapeTag)).toContain('device=lamp 1,a=b');
  });

  it('keeps quotes and unicode in a tag as they are', () => {
    const reading = { ...validReadings.camera, deviceId: 'lamp ,=ü"1' } as Reading;
    expect(readingLine(reading, placement)).toContain(',device=lamp\\ \\,\\=ü"1,');
  });

  it('writes every number as a float field, even integer counts', () => {
    const reading = {
      ...validReadings.camera,
      metrics: { peopleCount: 12, vehicleCount: 0, crowdDensity: 0.4, rsrp: -95 },
    } as Reading;
    const { fields } = parts(readingLine(reading, placement));
    expect(fields.split(',').sort()).toEqual([
      'crowdDensity=0.4',
      'peopleCount=12',
      'rsrp=-95',
      'vehicleCount=0',
    ]);
    expect(fields).not.toMatch(/\d+i\b/);
  });

  it('writes booleans as T/F and strings quoted', () => {
    const reading = {
      ...validReadings.wasteBin,
      metrics: { lidOpen: true, status: 'ok', dateLastEmptying: '2026-11-20T07:30:00+01:00' },
    } as Reading;
    const fields = parts(readingLine(reading, placement)).fields.split(',').sort();
    expect(fields).toEqual(['dateLastEmptying="2026-11-20T07:30:00+01:00"', 'lidOpen=T', 'status="ok"']);
    const off = { ...validReadings.camera, metrics: { tamperDetected: false } } as Reading;
    expect(parts(readingLine(off, placement)).fields).toBe('tamperDetected=F');
  });

  it('writes one field per metric of a full reading', () => {
    for (const reading of Object.values(validReadings)) {
      const { fields } = parts(readingLine(reading as Reading, placement));
      expect(fields.split(',').map((f) => f.split('=')[0])).toEqual(Object.keys(reading.metrics).sort());
    }
  });
});

describe('eventPoint', () => {
  const event: DeviceEvent = {
    deviceId: 'bin 7',
    kind: 'wasteBin',
    ts: '2026-11-22T15:59:59.999Z',
    type: 'fireRisk',
  };

  it('writes the device tags plus a type tag, count=1i and the event time', () => {
    const p = parts(line(eventPoint(event, placement)));
    expect(p.measurement).toBe(eventMeasurement);
    expect(p.tags.sort()).toEqual([
      'device=bin\\ 7',
      'district=centrum',
      'gateway=gw-centrum-01',
      'kind=wasteBin',
      'type=fireRisk',
    ]);
    expect(p.fields).toBe('count=1i');
    expect(p.ts).toBe(Date.parse(event.ts));
  });

  it('writes count=1i alone for an event without values (events carry no free text)', () => {
    expect(parts(line(eventPoint(event, placement))).fields).toBe('count=1i');
  });

  it('writes the values its kind declares as fields: numbers as floats, codes as strings', () => {
    const ended: DeviceEvent = {
      deviceId: 'evc-000004',
      kind: 'evCharger',
      ts: '2026-11-22T15:59:59.999Z',
      type: 'sessionEnded',
      values: { sessionEnergy: 21, sessionDuration: 5_400.5 },
    };
    expect(parts(line(eventPoint(ended, placement))).fields).toBe(
      'count=1i,sessionDuration=5400.5,sessionEnergy=21',
    );
    const fault: DeviceEvent = { ...ended, type: 'fault', values: { errorCode: 'GroundFailure' } };
    expect(parts(line(eventPoint(fault, placement))).fields).toBe('count=1i,errorCode="GroundFailure"');
  });
});

describe('heartbeatPoint', () => {
  const heartbeat = { ...validHeartbeat, queueDepth: 42 } as GatewayHeartbeat;
  const receivedAt = new Date('2026-11-22T16:00:07.250Z');

  it('is stamped with the receive time, not the gateway clock', () => {
    const p = parts(line(heartbeatPoint({ ...heartbeat, sentAt: '2020-01-01T00:00:00Z' }, receivedAt)));
    expect(p.ts).toBe(receivedAt.getTime());
  });

  it('tags the gateway only and writes the health numbers as floats', () => {
    const p = parts(line(heartbeatPoint(heartbeat, receivedAt)));
    expect(p.measurement).toBe(gatewayHealthMeasurement);
    expect(p.tags).toEqual(['gateway=gw-centrum-01']);
    expect(p.fields.split(',').sort()).toEqual([
      'deviceCount=250',
      'droppedReadings=0',
      'memoryRss=52428800',
      'queueDepth=42',
      'softwareVersion="0.1.0"',
      'uptime=3600.5',
    ]);
  });
});

describe('toLine', () => {
  it('writes the same line as the ms-precision serialisation, with a ms timestamp', () => {
    const reading = { ...validReadings.camera, ts: '2026-11-22T16:00:00.123Z' } as Reading;
    const point = libraryPoint(reading, placement);
    const text = toLine(point);
    expect(text).toBe(line(point));
    expect(parts(text).ts).toBe(Date.parse('2026-11-22T16:00:00.123Z'));
  });

  it('uses ms for events and heartbeats too', () => {
    const receivedAt = new Date('2026-11-22T16:00:07.250Z');
    expect(
      toLine(heartbeatPoint(validHeartbeat as GatewayHeartbeat, receivedAt)).endsWith(' 1795363207250'),
    ).toBe(true);
    const event = { ...validEvent, ts: '2026-11-22T15:59:59.999Z' } as DeviceEvent;
    expect(parts(toLine(eventPoint(event, placement))).ts).toBe(Date.parse(event.ts));
  });

  it('writes a point without a timestamp without one', () => {
    expect(toLine(new Point('m').floatField('x', 1))).toBe('m x=1');
  });

  it('throws for a point without fields, which InfluxDB cannot store', () => {
    expect(() => toLine(new Point('m').tag('a', 'b'))).toThrow('without fields');
  });
});
