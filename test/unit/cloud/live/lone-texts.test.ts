import { describe, expect, it } from 'vitest';
import { LoneTexts, loneFeature } from '../../../../cloud/live/lone-texts.ts';
import { mapStates } from '../../../../cloud/live/map-state.ts';
import type { DeviceRecord } from '../../../../cloud/registry/store.ts';

const lamp = (id = 'lamp-"1"\\é'): DeviceRecord => ({
  id,
  kind: 'streetlight',
  gatewayId: 'gw-1',
  district: 'Staré Město',
  provisioned: true,
  latest: {},
});
/** The map's positions: device k at (lon[k], lat[k]). */
const positions = (...lonLat: [number, number][]) => ({
  lon: Float64Array.from(lonLat, ([lon]) => lon),
  lat: Float64Array.from(lonLat, ([, lat]) => lat),
});
/** The text of kept bytes, less their leading comma. */
const text = (bytes: Buffer) => {
  expect(bytes[0]).toBe(0x2c);
  return bytes.subarray(1).toString('utf8');
};

describe('lone device texts', () => {
  it('are a comma and what JSON.stringify makes of the feature, in every state, as UTF-8', () => {
    const texts = new LoneTexts(10);
    const device = lamp();
    const at = positions([0, 0], [0, 0], [0, 0], [14.418540000000002, 50.07355]);
    for (const [code, state] of mapStates.entries()) {
      const bytes = texts.bytes(3, device, at, code);
      expect(text(bytes)).toBe(JSON.stringify(loneFeature(device, 14.418540000000002, 50.07355, state)));
      expect(JSON.parse(text(bytes))).toEqual({
        type: 'Feature',
        id: device.id,
        geometry: { type: 'Point', coordinates: [14.418540000000002, 50.07355] },
        properties: { cluster: false, id: device.id, kind: 'streetlight', district: 'Staré Město', state },
      });
      // Kept: the same bytes the next time.
      expect(texts.bytes(3, device, at, code)).toBe(bytes);
    }
    expect(texts.size).toBe(1);
  });

  it('are kept while the record is the one they were made of and no change was told; made again after', () => {
    const texts = new LoneTexts(10);
    const device = lamp();
    const at = positions([1, 2]);
    const ok = (d: DeviceRecord) => text(texts.bytes(0, d, at, 0));
    const made = (d: DeviceRecord) => JSON.stringify(loneFeature(d, 1, 2, 'ok'));
    const first = ok(device);
    expect(first).toBe(made(device));
    device.district = 'Vinohrady';
    // Changed in place and not told: as made (the registry tells of every change).
    expect(ok(device)).toBe(first);
    texts.changed([lamp('another'), device]);
    expect(ok(device)).toBe(made(device));
    device.kind = 'wasteBin';
    texts.changed([device]);
    expect(ok(device)).toBe(made(device));
    // Another record at the position: made for it.
    const other = lamp('other');
    expect(ok(other)).toBe(made(other));
    expect(texts.size).toBe(1);
  });

  it('keep at most so many devices, the earliest kept going first, and forget all when cleared', () => {
    const texts = new LoneTexts(2);
    const [a, b, c] = [lamp('a'), lamp('b'), lamp('c')];
    const at = positions([0, 0], [0, 0], [0, 0], [0, 0]);
    const first = texts.bytes(1, a, at, 0);
    texts.bytes(2, b, at, 0);
    expect(texts.size).toBe(2);
    texts.bytes(3, c, at, 0);
    expect(texts.size).toBe(2);
    // Kept: 2 and 3; 1 is made again (and 2, now the earliest, goes).
    const again = texts.bytes(1, a, at, 0);
    expect(again).not.toBe(first);
    expect(again).toEqual(first);
    expect(texts.bytes(3, c, at, 0)).toBe(texts.bytes(3, c, at, 0));
    expect(texts.size).toBe(2);
    texts.clear();
    expect(texts.size).toBe(0);
    expect(texts.bytes(3, c, at, 0)).not.toBe(again);
  });

  it('refuse a state code that names no state', () => {
    const texts = new LoneTexts(2);
    expect(() => texts.bytes(0, lamp(), positions([0, 0]), mapStates.length)).toThrow(
      /no map state of code 7/,
    );
  });
});
