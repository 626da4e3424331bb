import { describe, expect, it } from 'vitest';
import { deviceCommand, deviceEvent, deviceKind, kinds, reading } from '../../../../shared/kinds/index.ts';
import { fixtureKinds, readingWith, validEvent, validReadings } from '../../fixtures.ts';

describe('kinds', () => {
  it('lists the same kinds as deviceKind, each under its own name', () => {
    expect(Object.values(kinds).map((k) => k.kind)).toEqual(deviceKind.options);
    for (const [key, spec] of Object.entries(kinds)) expect(spec.kind).toBe(key);
  });
});

describe('reading', () => {
  it.each(fixtureKinds)('accepts a valid %s reading', (kind) => {
    expect(reading.parse(validReadings[kind])).toEqual(validReadings[kind]);
  });

  it.each(fixtureKinds)('rejects a %s reading with empty metrics', (kind) => {
    expect(reading.safeParse({ ...validReadings[kind], metrics: {} }).success).toBe(false);
  });

  it('checks the metrics against the kind it claims', () => {
    expect(reading.safeParse({ ...validReadings.camera, kind: 'streetlight' }).success).toBe(false);
    expect(reading.safeParse({ ...validReadings.streetlight, kind: 'wasteBin' }).success).toBe(false);
  });

  it('rejects an unknown or missing kind', () => {
    expect(reading.safeParse({ ...validReadings.camera, kind: 'drone' }).success).toBe(false);
    const { kind: _, ...noKind } = validReadings.camera;
    expect(reading.safeParse(noKind).success).toBe(false);
  });

  it.each([
    ['NaN', { dimmingLevel: Number.NaN }],
    ['Infinity', { activePower: Number.POSITIVE_INFINITY }],
    ['-Infinity', { voltage: Number.NEGATIVE_INFINITY }],
    ['dimmingLevel 101', { dimmingLevel: 101 }],
    ['negative activePower', { activePower: -5 }],
    ["'12' as a string", { activePower: '12' }],
  ])('rejects a street light reading with %s', (_, metrics) => {
    expect(reading.safeParse(readingWith('streetlight', metrics)).success).toBe(false);
  });

  it.each([
    ['faceImage', { faceImage: 'base64...' }],
    ['licensePlate', { licensePlate: '1-ABC-123' }],
    ['a non-integer peopleCount', { peopleCount: 3.2 }],
  ])('rejects a camera reading with %s', (_, metrics) => {
    expect(reading.safeParse(readingWith('camera', metrics)).success).toBe(false);
  });

  it.each(['yesterday', '2026-13-01T00:00:00Z', '2026-11-22T16:00:00', ''])(
    'rejects the timestamp %j',
    (ts) => {
      expect(reading.safeParse({ ...validReadings.camera, ts }).success).toBe(false);
    },
  );

  it.each([
    ['a newline', 'cam\n1'],
    ['a backslash', 'cam\\1'],
    ['a slash', 'cam/1'],
    ['a "#"', 'cam#1'],
    ['a "+"', 'cam+1'],
    ['more than 128 characters', 'c'.repeat(129)],
  ])('rejects a device id with %s', (_, deviceId) => {
    expect(reading.safeParse({ ...validReadings.camera, deviceId }).success).toBe(false);
  });

  it('accepts a device id with space, comma, equals sign, quote and unicode', () => {
    const value = { ...validReadings.camera, deviceId: 'lamp ,=ü"1' };
    expect(reading.parse(value).deviceId).toBe('lamp ,=ü"1');
    expect(reading.safeParse({ ...value, deviceId: 'c'.repeat(128) }).success).toBe(true);
  });

  it('rejects extra fields beside the metrics', () => {
    expect(reading.safeParse({ ...validReadings.camera, gatewayId: 'gw-1' }).success).toBe(false);
  });
});

describe('deviceEvent', () => {
  it('accepts a valid event and rejects an event type of another kind', () => {
    expect(deviceEvent.safeParse(validEvent).success).toBe(true);
    expect(deviceEvent.safeParse({ ...validEvent, type: 'lampFault' }).success).toBe(false);
    const { values: _, ...withoutValues } = validEvent;
    expect(deviceEvent.safeParse({ ...withoutValues, kind: 'streetlight', type: 'lampFault' }).success).toBe(
      true,
    );
    expect(deviceEvent.safeParse({ ...validEvent, kind: 'streetlight', type: 'lampFault' }).success).toBe(
      false,
    );
  });
});

describe('deviceCommand', () => {
  it('dispatches on kind, then on action', () => {
    const base = { deviceId: 'x-1' };
    expect(
      deviceCommand.safeParse({ ...base, kind: 'wasteBin', command: { action: 'requestStatus' } }).success,
    ).toBe(true);
    expect(
      deviceCommand.safeParse({ ...base, kind: 'camera', command: { action: 'requestStatus' } }).success,
    ).toBe(false);
  });
});
