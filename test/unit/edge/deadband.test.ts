import { describe, expect, it } from 'vitest';
import { DeadbandFilter, type DeadbandSettings } from '../../../edge/deadband.ts';
import type { Reading } from '../../../shared/kinds/index.ts';
import { readingWith, TS } from '../fixtures.ts';

const T0 = Date.parse(TS);
const MINUTE = 60_000;

/** A street light reading `minutes` after TS with `metrics` changed. */
const lamp = (minutes: number, metrics: Record<string, unknown> = {}, deviceId = 'lamp-000001') =>
  ({
    ...readingWith('streetlight', metrics),
    deviceId,
    ts: new Date(T0 + minutes * MINUTE).toISOString(),
  }) as Reading;

const settings: DeadbandSettings = {
  deadband: { activePower: 1, dimmingLevel: 5, voltage: 0 },
  maxSilenceMs: 15 * MINUTE,
};

describe('DeadbandFilter', () => {
  it('passes everything without settings, even identical readings', () => {
    const filter = new DeadbandFilter();
    const readings = [lamp(0), lamp(1), lamp(2)];
    expect(filter.filter(readings, undefined)).toEqual(readings);
    expect(filter.filter([lamp(3)], undefined)).toEqual([lamp(3)]);
  });

  it('passes the first reading of each device', () => {
    const filter = new DeadbandFilter();
    const readings = [lamp(0), lamp(0, {}, 'lamp-000002')];
    expect(filter.filter(readings, settings)).toEqual(readings);
  });

  it('suppresses an identical reading', () => {
    const filter = new DeadbandFilter();
    filter.filter([lamp(0)], settings);
    expect(filter.filter([lamp(1)], settings)).toEqual([]);
  });

  it('suppresses a change within the deadband, including one equal to it, and passes one beyond it', () => {
    const filter = new DeadbandFilter();
    filter.filter([lamp(0, { activePower: 30 })], settings);
    expect(filter.filter([lamp(1, { activePower: 30.5 })], settings)).toEqual([]);
    expect(filter.filter([lamp(2, { activePower: 29 })], settings)).toEqual([]);
    const beyond = lamp(3, { activePower: 31.01 });
    expect(filter.filter([beyond], settings)).toEqual([beyond]);
  });

  it('compares with the last reading sent, so slow drift is sent once it adds up', () => {
    const filter = new DeadbandFilter();
    filter.filter([lamp(0, { activePower: 30 })], settings);
    expect(filter.filter([lamp(1, { activePower: 30.6 })], settings)).toEqual([]);
    const drifted = lamp(2, { activePower: 31.2 });
    expect(filter.filter([drifted], settings)).toEqual([drifted]);
    expect(filter.filter([lamp(3, { activePower: 31.9 })], settings)).toEqual([]);
  });

  it('passes a reading when any one metric moves past its deadband', () => {
    const filter = new DeadbandFilter();
    filter.filter([lamp(0, { activePower: 30, dimmingLevel: 40 })], settings);
    const dimmed = lamp(1, { activePower: 30.2, dimmingLevel: 50 });
    expect(filter.filter([dimmed], settings)).toEqual([dimmed]);
  });

  it('passes a number metric without a deadband entry on any change', () => {
    const filter = new DeadbandFilter();
    filter.filter([lamp(0, { operatingHours: 10_000 })], settings);
    expect(filter.filter([lamp(1, { operatingHours: 10_000 })], settings)).toEqual([]);
    const tiny = lamp(2, { operatingHours: 10_000.001 });
    expect(filter.filter([tiny], settings)).toEqual([tiny]);
  });

  it('treats a deadband of 0 as any change', () => {
    const filter = new DeadbandFilter();
    filter.filter([lamp(0, { voltage: 230 })], settings);
    const moved = lamp(1, { voltage: 230.1 });
    expect(filter.filter([moved], settings)).toEqual([moved]);
  });

  it('passes non-number metrics on any change only', () => {
    const filter = new DeadbandFilter();
    filter.filter([lamp(0, { powerState: 'low', status: 'ok' })], settings);
    expect(filter.filter([lamp(1, { powerState: 'low', status: 'ok' })], settings)).toEqual([]);
    const switched = lamp(2, { powerState: 'on' });
    expect(filter.filter([switched], settings)).toEqual([switched]);
    const failed = lamp(3, { powerState: 'on', status: 'lampFailure' });
    expect(filter.filter([failed], settings)).toEqual([failed]);
  });

  it('passes booleans on change', () => {
    const filter = new DeadbandFilter();
    const bin = (minutes: number, lidOpen: boolean) =>
      ({
        ...readingWith('wasteBin', { lidOpen }),
        ts: new Date(T0 + minutes * MINUTE).toISOString(),
      }) as Reading;
    filter.filter([bin(0, false)], settings);
    expect(filter.filter([bin(1, false)], settings)).toEqual([]);
    expect(filter.filter([bin(2, true)], settings)).toEqual([bin(2, true)]);
  });

  it('forces a reading once the device has been silent for maxSilenceMs', () => {
    const filter = new DeadbandFilter();
    filter.filter([lamp(0)], settings);
    expect(filter.filter([lamp(14)], settings)).toEqual([]);
    expect(filter.filter([lamp(15)], settings)).toEqual([lamp(15)]);
    expect(filter.filter([lamp(29)], settings)).toEqual([]);
    expect(filter.filter([lamp(30)], settings)).toEqual([lamp(30)]);
  });

  it('keeps devices apart', () => {
    const filter = new DeadbandFilter();
    filter.filter([lamp(0, { activePower: 30 }, 'lamp-a'), lamp(0, { activePower: 50 }, 'lamp-b')], settings);
    const b = lamp(1, { activePower: 30 }, 'lamp-b');
    expect(filter.filter([lamp(1, { activePower: 30 }, 'lamp-a'), b], settings)).toEqual([b]);
  });

  it('filters a batch in order, comparing later readings of a device with earlier ones of the same batch', () => {
    const filter = new DeadbandFilter();
    const first = lamp(0, { activePower: 30 });
    const jump = lamp(2, { activePower: 40 });
    expect(
      filter.filter([first, lamp(1, { activePower: 30.5 }), jump, lamp(3, { activePower: 40.5 })], settings),
    ).toEqual([first, jump]);
  });
});
