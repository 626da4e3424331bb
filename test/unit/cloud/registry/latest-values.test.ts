import { describe, expect, it } from 'vitest';
import { toDevice } from '../../../../cloud/registry/rows.ts';
import { latestValues, noLatest, ownLatest } from '../../../../cloud/registry/store.ts';

/** A stored device row with these latest values (as JSON). */
const rowWith = (latest: string) =>
  toDevice({ id: 'bin-1', kind: 'wasteBin', gateway_id: 'gw-1', district: 'c', lat: null, latest });

describe("a device's latest values", () => {
  it('are a plain object of their own, holding the values given', () => {
    const given = { fillingLevel: 40, status: 'ok' };
    const latest = latestValues(given);
    expect(Object.getPrototypeOf(latest)).toBe(Object.prototype);
    expect(latest).toStrictEqual({ fillingLevel: 40, status: 'ok' });
    expect(JSON.stringify(latest)).toBe('{"fillingLevel":40,"status":"ok"}');
    expect(structuredClone(latest)).toStrictEqual(given);
    latest.fillingLevel = 41;
    expect(given.fillingLevel).toBe(40);
    expect(latestValues()).toStrictEqual({});
    expect(latestValues()).not.toBe(latestValues());
  });

  it("replace the shared empty ones at a device's first values, and stay its own after", () => {
    const device = rowWith('{}');
    expect(device.latest).toBe(noLatest);
    const own = ownLatest(device);
    expect(own).not.toBe(noLatest);
    expect(device.latest).toBe(own);
    expect(ownLatest(device)).toBe(own);
    expect(noLatest).toStrictEqual({});
  });

  it('read back from a row are made the same way', () => {
    const device = rowWith('{"fillingLevel":40}');
    expect(device.latest).toStrictEqual({ fillingLevel: 40 });
    expect(Object.getPrototypeOf(device.latest)).toBe(Object.prototype);
    expect(ownLatest(device)).toBe(device.latest);
  });
});
