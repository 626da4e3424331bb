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

describe('lone device texts', () => {
  it('are what JSON.stringify makes of the feature, in every state', () => {
    const texts = new LoneTexts(10);
    const device = lamp();
    for (const [code, state] of mapStates.entries()) {
      const text = texts.text(3, device, 14.418540000000002, 50.07355, code);
      expect(text).toBe(JSON.stringify(loneFeature(device, 14.418540000000002, 50.07355, state)));
      expect(JSON.parse(text)).toEqual({
        type: 'Feature',
        id: device.id,
        geometry: { type: 'Point', coordinates: [14.418540000000002, 50.07355] },
        properties: { cluster: false, id: device.id, kind: 'streetlight', district: 'Staré Město', state },
      });
    }
    expect(texts.size).toBe(1);
  });

  it('are made again when the record, its kind or district, or the position is not what they were made of', () => {
    const texts = new LoneTexts(10);
    const device = lamp();
    const ok = (d: Device, lon: number, lat: number) =>
      expect(texts.text(0, d, lon, lat, 0)).toBe(JSON.stringify(loneFeature(d, lon, lat, 'ok')));
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

  it('keep at most so many, the earliest kept going first', () => {
    const texts = new LoneTexts(2);
    const a: Device = { id: 'a', kind: 'streetlight', district: 'x' };
    const b = { ...a, id: 'b' };
    const c = { ...a, id: 'c' };
    texts.text(1, a, 0, 0, 0);
    texts.text(2, b, 0, 0, 0);
    expect(texts.size).toBe(2);
    texts.text(3, c, 0, 0, 0);
    expect(texts.size).toBe(2);
    // Kept: 2 and 3; 1 is made again (and 2, now the earliest, goes).
    expect(texts.text(1, a, 0, 0, 1)).toBe(JSON.stringify(loneFeature(a, 0, 0, 'offline')));
    expect(texts.size).toBe(2);
    texts.clear();
    expect(texts.size).toBe(0);
  });

  it('refuse a state code that names no state', () => {
    const texts = new LoneTexts(2);
    expect(() => texts.text(0, lamp(), 0, 0, mapStates.length)).toThrow(/no map state of code 7/);
  });
});
