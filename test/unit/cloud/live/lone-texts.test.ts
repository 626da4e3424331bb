import { describe, expect, it } from 'vitest';
import { LoneTexts, loneFeature } from '../../../../cloud/live/lone-texts.ts';
import { mapStates } from '../../../../cloud/live/map-state.ts';
import type { DeviceKind } from '../../../../shared/kinds/index.ts';

interface Device {
  id: string;
  kind: DeviceKind;
  district: string;
}

const lamp = (): Device => ({ id: 'lamp-"1"\\é', kind: 'streetlight', district: 'Staré Město' });
/** The text of kept bytes, less their leading comma. */
const text = (bytes: Buffer) => {
  expect(bytes[0]).toBe(0x2c);
  return bytes.subarray(1).toString('utf8');
};

describe('lone device texts', () => {
  it('are a comma and what JSON.stringify makes of the feature, in every state, as UTF-8', () => {
    const texts = new LoneTexts(10);
    const device = lamp();
    for (const [code, state] of mapStates.entries()) {
      const bytes = texts.bytes(3, device, 14.418540000000002, 50.07355, code);
      expect(text(bytes)).toBe(JSON.stringify(loneFeature(device, 14.418540000000002, 50.07355, state)));
      expect(JSON.parse(text(bytes))).toEqual({
        type: 'Feature',
        id: device.id,
        geometry: { type: 'Point', coordinates: [14.418540000000002, 50.07355] },
        properties: { cluster: false, id: device.id, kind: 'streetlight', district: 'Staré Město', state },
      });
      // Kept: the same bytes the next time.
      expect(texts.bytes(3, device, 14.418540000000002, 50.07355, code)).toBe(bytes);
    }
    expect(texts.size).toBe(1);
  });

  it('are made again when the record, its kind or district, or the position is not what they were made of', () => {
    const texts = new LoneTexts(10);
    const device = lamp();
    const ok = (d: Device, lon: number, lat: number) =>
      expect(text(texts.bytes(0, d, lon, lat, 0))).toBe(JSON.stringify(loneFeature(d, lon, lat, 'ok')));
    ok(device, 1, 2);
    device.district = 'Vinohrady';
    ok(device, 1, 2);
    device.kind = 'wasteBin';
    ok(device, 1, 2);
    ok(device, 1.5, 2);
    ok(device, 1.5, 2.5);
    ok({ ...device, id: 'another' }, 1.5, 2.5);
    expect(texts.size).toBe(1);
  });

  it('keep at most so many devices, the earliest kept going first', () => {
    const texts = new LoneTexts(2);
    const a: Device = { id: 'a', kind: 'streetlight', district: 'x' };
    const b = { ...a, id: 'b' };
    const c = { ...a, id: 'c' };
    const first = texts.bytes(1, a, 0, 0, 0);
    texts.bytes(2, b, 0, 0, 0);
    expect(texts.size).toBe(2);
    texts.bytes(3, c, 0, 0, 0);
    expect(texts.size).toBe(2);
    // Kept: 2 and 3; 1 is made again (and 2, now the earliest, goes).
    const again = texts.bytes(1, a, 0, 0, 0);
    expect(again).not.toBe(first);
    expect(again).toEqual(first);
    expect(texts.bytes(3, c, 0, 0, 0)).toBe(texts.bytes(3, c, 0, 0, 0));
    expect(texts.size).toBe(2);
    texts.clear();
    expect(texts.size).toBe(0);
  });

  it('refuse a state code that names no state', () => {
    const texts = new LoneTexts(2);
    expect(() => texts.bytes(0, lamp(), 0, 0, mapStates.length)).toThrow(/no map state of code 7/);
  });
});
