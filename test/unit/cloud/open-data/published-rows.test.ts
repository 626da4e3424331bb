import { describe, expect, it } from 'vitest';
import { publishedCells, publishedUntil, rangeOf } from '../../../../cloud/open-data/published-rows.ts';
import { FakeAggregateReader } from '../../../helpers/fake-aggregates.ts';
import { datasetOf } from './fixtures.ts';

const zone = 'Europe/Prague';
/** Tuesday 2 December 2025, 10:20 in Prague (09:20 UTC): a day after the readings, as a camera's delay wants. */
const now = new Date('2025-12-02T09:20:00.000Z');

function source(reader: FakeAggregateReader) {
  return { reader, timezone: () => zone, now: () => now };
}

/** People counted by one camera in `district`, one reading at each given UTC hour of 1 December. */
function people(reader: FakeAggregateReader, district: string, byHour: Record<number, number>) {
  for (const [hour, value] of Object.entries(byHour))
    reader.add({
      at: new Date(Date.UTC(2025, 11, 1, Number(hour), 10)),
      kind: 'camera',
      metric: 'peopleCount',
      value,
      district,
      zone: '881e204a93fffff',
      deviceId: `cam-${district}`,
    });
}

describe('what may be published now', () => {
  it('ends at the last bucket that ended the delay ago: hours on the hour, days at local midnight', () => {
    const lamps = datasetOf({
      kind: 'streetlight',
      metric: 'activePower',
      aggregate: 'mean',
      minCellSize: undefined,
    });
    expect(publishedUntil({ ...lamps, delayMinutes: 0 }, now, zone).toISOString()).toBe(
      '2025-12-02T09:00:00.000Z',
    );
    expect(publishedUntil(datasetOf(), now, zone).toISOString()).toBe('2025-12-01T09:00:00.000Z');
    expect(publishedUntil(datasetOf({ delayMinutes: 24 * 60 + 30 }), now, zone).toISOString()).toBe(
      '2025-12-01T08:00:00.000Z',
    );
    expect(publishedUntil(datasetOf({ granularity: 'day' }), now, zone).toISOString()).toBe(
      '2025-11-30T23:00:00.000Z',
    );
  });

  it('reads a week of hours by default, and refuses a reversed or too long range', () => {
    const until = publishedUntil(datasetOf(), now, zone);
    const range = rangeOf(datasetOf(), {}, until);
    expect(until.getTime() - range.from.getTime()).toBe(7 * 86_400_000);
    expect(() => rangeOf(datasetOf(), { from: '2025-12-01', to: '2025-11-01' }, until)).toThrow(/before/);
    expect(() => rangeOf(datasetOf(), { from: '2025-01-01', to: '2025-12-01' }, until)).toThrow(
      /at most 31 days/,
    );
    expect(() => rangeOf(datasetOf(), { from: 'yesterday' }, until)).toThrow(/ISO 8601/);
  });
});

describe('published cells', () => {
  it('never reaches past the delay, whatever range is asked for', async () => {
    const reader = new FakeAggregateReader(zone);
    people(reader, 'centrum', { 7: 20, 8: 30, 9: 40 });
    const cells = await publishedCells(
      datasetOf({ delayMinutes: 24 * 60 + 30 }),
      { from: new Date('2025-12-01T00:00:00Z'), to: new Date('2025-12-02T00:00:00Z') },
      source(reader),
    );
    expect(cells.map((c) => [c.start, c.value])).toEqual([['2025-12-01T07:00:00.000Z', 20]]);
  });

  it('suppresses small hourly counts from the start of the local day, even for a range that starts later', async () => {
    const reader = new FakeAggregateReader(zone);
    // 23:00 UTC on 30 November is the first hour of 1 December in Prague.
    reader.add({
      at: new Date('2025-11-30T23:05:00Z'),
      kind: 'camera',
      metric: 'peopleCount',
      value: 2,
      district: 'centrum',
      zone: '881e204a93fffff',
      deviceId: 'cam-centrum',
    });
    people(reader, 'centrum', { 0: 40, 1: 50 });
    people(reader, 'lazne', { 0: 3, 1: 60 });
    const cells = await publishedCells(
      datasetOf(),
      { from: new Date('2025-12-01T00:00:00Z'), to: new Date('2025-12-01T02:00:00Z') },
      source(reader),
    );
    // centrum's 40 completes the run its 2 people at midnight opened; lazne's 3 opens one its 60 completes.
    expect(cells.map((c) => [c.start.slice(11, 13), c.key, c.value])).toEqual([
      ['00', 'centrum', null],
      ['00', 'lazne', null],
      ['01', 'centrum', 50],
      ['01', 'lazne', null],
    ]);
  });

  it('hides a day whose last hours are too few people to hide behind, and publishes the others', async () => {
    const reader = new FakeAggregateReader(zone);
    people(reader, 'centrum', { 5: 30, 6: 2 });
    people(reader, 'lazne', { 5: 2, 6: 30 });
    people(reader, 'ostrov', { 5: 1 });
    const daily = datasetOf({ id: 'people-daily', granularity: 'day' });
    const later = { ...source(reader), now: () => new Date('2025-12-03T09:00:00Z') };
    const cells = await publishedCells(
      daily,
      { from: new Date('2025-11-30T23:00:00Z'), to: new Date('2025-12-01T23:00:00Z') },
      later,
    );
    expect(cells.map((c) => [c.key, c.value])).toEqual([
      ['centrum', null],
      ['lazne', 32],
      ['ostrov', null],
    ]);
  });

  it('publishes a metric that counts no one as it is, small or not', async () => {
    const reader = new FakeAggregateReader(zone);
    reader.add({
      at: new Date('2025-12-01T07:10:00Z'),
      kind: 'streetlight',
      metric: 'activePower',
      value: 1.5,
      district: 'centrum',
      zone: '881e204a93fffff',
      deviceId: 'lamp-1',
    });
    const power = datasetOf({
      kind: 'streetlight',
      metric: 'activePower',
      aggregate: 'mean',
      minCellSize: undefined,
    });
    const cells = await publishedCells(
      power,
      rangeOf(power, {}, publishedUntil(power, now, zone)),
      source(reader),
    );
    expect(cells).toEqual([
      { start: '2025-12-01T07:00:00.000Z', key: 'centrum', value: 1.5, readings: 1, suppressed: false },
    ]);
    expect(reader.queries.at(-1)).toMatchObject({ fn: 'mean', granularity: 'hour', by: 'district' });
  });
});
