import { describe, expect, it } from 'vitest';
import { deviceId, gatewayId, tagValue, timestamp } from '../../../shared/ids.ts';

describe('gatewayId', () => {
  it.each(['gw-centrum-01', 'gw_1', '0', `a${'b'.repeat(63)}`])('accepts %j', (id) => {
    expect(gatewayId.safeParse(id).success).toBe(true);
  });

  it.each(['', 'GW-1', 'gw 1', 'gw/1', '+', '#', 'gw+', '-gw', '_gw', 'gw.1', `a${'b'.repeat(64)}`])(
    'rejects %j',
    (id) => {
      expect(gatewayId.safeParse(id).success).toBe(false);
    },
  );
});

describe('deviceId', () => {
  it.each(['lamp-000042', 'lamp ,=ü"1', "it's a lamp", 'lamp=1,district=noord', 'x', 'é'.repeat(128), '🚦'])(
    'accepts %j',
    (id) => {
      expect(deviceId.parse(id)).toBe(id);
    },
  );

  it.each([
    ['empty', ''],
    ['a newline', 'lamp\n1'],
    ['a carriage return', 'lamp\r1'],
    ['a tab', 'lamp\t1'],
    ['NUL', 'lamp\u00001'],
    ['DEL', 'lamp\u007f'],
    ['a backslash', 'lamp\\1'],
    ['a trailing backslash', 'lamp\\'],
    ['a slash', 'lamp/1'],
    ['a "#"', 'lamp#1'],
    ['a "+"', 'lamp+1'],
    ['129 characters', 'x'.repeat(129)],
  ])('rejects %s', (_, id) => {
    expect(deviceId.safeParse(id).success).toBe(false);
  });

  it('rejects non-strings', () => {
    expect(deviceId.safeParse(42).success).toBe(false);
    expect(deviceId.safeParse(null).success).toBe(false);
  });
});

describe('tagValue', () => {
  const district = tagValue('district');

  it('accepts "/", "#" and "+", which only device ids refuse', () => {
    expect(district.parse('noord/oost #2+')).toBe('noord/oost #2+');
  });

  it('refuses control characters and backslashes like device ids', () => {
    expect(district.safeParse('noord\n').success).toBe(false);
    expect(district.safeParse('noord\\').success).toBe(false);
    expect(district.safeParse('').success).toBe(false);
    expect(district.safeParse('n'.repeat(129)).success).toBe(false);
  });
});

describe('timestamp', () => {
  it.each([
    '2026-11-22T16:00:00Z',
    '2026-11-22T16:00:00.000Z',
    '2026-11-22T17:00:00.123+01:00',
    '2026-11-22T11:00:00-05:00',
    '2028-02-29T00:00:00Z',
  ])('accepts %j', (ts) => {
    expect(timestamp.parse(ts)).toBe(ts);
  });

  it.each([
    'yesterday',
    '',
    '2026-13-01T00:00:00Z',
    '2026-00-10T00:00:00Z',
    '2026-02-30T00:00:00Z',
    '2026-02-29T00:00:00Z',
    '2026-11-22T24:00:00Z',
    '2026-11-22T16:60:00Z',
    '2026-11-22',
    '2026-11-22T16:00:00',
    '2026-11-22 16:00:00Z',
    'Sun, 22 Nov 2026 16:00:00 GMT',
  ])('rejects %j', (ts) => {
    expect(timestamp.safeParse(ts).success).toBe(false);
  });

  it('rejects epoch numbers and Date objects', () => {
    expect(timestamp.safeParse(1_795_363_200_000).success).toBe(false);
    expect(timestamp.safeParse(new Date()).success).toBe(false);
  });
});
