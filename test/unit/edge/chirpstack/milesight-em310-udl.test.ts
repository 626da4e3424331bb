import { describe, expect, it } from 'vitest';
import {
  fillingLevel,
  milesightEm310Udl,
  parseEm310Frame,
} from '../../../../edge/drivers/chirpstack/codecs/milesight-em310-udl.ts';

const bytes = (hex: string) => [...Buffer.from(hex.replace(/\s/g, ''), 'hex')];
const decode = (hex: string, variables: Record<string, string> = {}) =>
  milesightEm310Udl.decodeUplink({ bytes: bytes(hex), fPort: 85, recvTime: new Date(), variables });

describe('Milesight EM310-UDL frames', () => {
  it("reads the payload definition's example: battery 92 %, distance 2116 mm, tilted", () => {
    expect(parseEm310Frame(bytes('01755C 03824408 040001'))).toEqual({
      frame: { battery: 92, distanceMm: 2116, position: 'tilt' },
      errors: [],
    });
  });

  it('reads the distance little-endian and a normal position', () => {
    expect(parseEm310Frame(bytes('0382 0100 040000')).frame).toEqual({ distanceMm: 1, position: 'normal' });
    expect(parseEm310Frame(bytes('0382 FFFF')).frame).toEqual({ distanceMm: 65_535 });
  });

  it('skips the device-information channels by their documented lengths', () => {
    const info = 'FF0101 FF090110 FF0A0114 FFFF0101 FF166136C19146040012 FF0F00 FFFE01 FF0B01';
    expect(parseEm310Frame(bytes(`${info} 017564`))).toEqual({ frame: { battery: 100 }, errors: [] });
    expect(
      parseEm310Frame(bytes('FF100F FF023C00 FF035802 FF06 0A 0000 E803 0000 0000 017501')).frame,
    ).toEqual({
      battery: 1,
    });
  });

  it('refuses a truncated channel, an unknown one and a position that is neither 0 nor 1', () => {
    expect(parseEm310Frame(bytes('038244')).errors).toEqual(['distance at byte 2 needs 2 bytes, 1 left']);
    expect(parseEm310Frame(bytes('0175')).errors).toEqual(['battery at byte 2 needs 1 bytes, 0 left']);
    expect(parseEm310Frame(bytes('01')).errors).toEqual(['channel header at byte 0 needs 2 bytes, 1 left']);
    expect(parseEm310Frame(bytes('017550 0999 00')).errors).toEqual(['unknown channel 0x09 0x99 at byte 3']);
    expect(parseEm310Frame(bytes('040002')).errors).toEqual([
      'position 2 is neither 0 (normal) nor 1 (tilt)',
    ]);
    expect(parseEm310Frame(bytes('FF16 0102')).errors).toEqual([
      'channel 0xff 0x16 at byte 2 needs 8 bytes, 2 left',
    ]);
  });
});

describe('filling level from distance', () => {
  it('is 0 % at the empty distance, 100 % at the full one, linear between, clamped outside', () => {
    expect(fillingLevel(1000, 1000, 200)).toBe(0);
    expect(fillingLevel(200, 1000, 200)).toBe(100);
    expect(fillingLevel(600, 1000, 200)).toBe(50);
    expect(fillingLevel(801, 1000, 200)).toBe(24.9);
    expect(fillingLevel(1200, 1000, 200)).toBe(0);
    expect(fillingLevel(100, 1000, 200)).toBe(100);
    expect(fillingLevel(250, 1000, 0)).toBe(75);
  });
});

describe('the EM310-UDL codec', () => {
  it('decodes battery and fill for a bin whose empty distance is set', () => {
    expect(decode('017564 03822003 040000', { emptyDistanceMm: '1600', fullDistanceMm: '400' })).toEqual({
      data: { metrics: { batteryLevel: 100, fillingLevel: 66.7 } },
    });
    expect(decode('03822003', { emptyDistanceMm: '1600' })).toEqual({
      data: { metrics: { fillingLevel: 50 } },
    });
  });

  it('reports a tilted sensor as tilted and does not read its distance as a fill', () => {
    expect(decode('01755C 03824408 040001', { emptyDistanceMm: '2500' })).toEqual({
      data: { metrics: { batteryLevel: 92 }, events: [{ type: 'tilted' }] },
      warnings: ['the sensor is tilted: its distance is not a filling level'],
    });
  });

  it('says why it gives no fill without emptyDistanceMm, and refuses variables that make none', () => {
    expect(decode('017550 03822003')).toEqual({
      data: { metrics: { batteryLevel: 80 } },
      warnings: ['variable emptyDistanceMm is not set: no filling level'],
    });
    expect(decode('03822003', { emptyDistanceMm: 'deep' })).toEqual({
      errors: ['variable emptyDistanceMm is not a number'],
    });
    expect(decode('03822003', { emptyDistanceMm: '400', fullDistanceMm: '400' })).toEqual({
      errors: ['variable emptyDistanceMm must exceed fullDistanceMm'],
    });
  });

  it('decodes a device-information frame to no data, and a broken frame to errors only', () => {
    expect(decode('FF0B01 FF0101')).toEqual({ data: {} });
    expect(decode('0382')).toEqual({ errors: ['distance at byte 2 needs 2 bytes, 0 left'] });
  });

  it('encodes no command: the sensor has no downlink asking for a reading', () => {
    expect(milesightEm310Udl.encodeDownlink({ data: { action: 'requestStatus' }, variables: {} })).toEqual({
      errors: ['the EM310-UDL has no downlink for requestStatus'],
    });
  });
});
