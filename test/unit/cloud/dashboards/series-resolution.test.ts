import { describe, expect, it } from 'vitest';
import {
  chooseResolution,
  foldSeries,
  seriesAggregateQuery,
} from '../../../../cloud/dashboards/series-resolution.ts';

const hour = 3_600_000;
const day = 24 * hour;
const now = new Date('2026-11-30T12:00:00Z');
const context = { now, rawRetentionDays: 30, rollups: true };
const daysAgo = (n: number) => new Date(now.getTime() - n * day);

describe('choosing the resolution of a series', () => {
  it('reads whole days from the daily rollups, whole hours from the hourly ones', () => {
    expect(chooseResolution({ fn: 'mean', from: daysAgo(1), everyMs: day }, context)).toEqual({
      resolution: 'day',
      everyMs: day,
    });
    expect(chooseResolution({ fn: 'mean', from: daysAgo(1), everyMs: 7 * day }, context).resolution).toBe(
      'day',
    );
    expect(chooseResolution({ fn: 'sum', from: daysAgo(1), everyMs: hour }, context)).toEqual({
      resolution: 'hour',
      everyMs: hour,
    });
    expect(chooseResolution({ fn: 'max', from: daysAgo(1), everyMs: 6 * hour }, context).resolution).toBe(
      'hour',
    );
    expect(chooseResolution({ fn: 'max', from: daysAgo(1), everyMs: 36 * hour }, context).resolution).toBe(
      'hour',
    );
  });

  it('reads buckets finer than an hour, or not whole hours, from raw inside the raw retention', () => {
    expect(chooseResolution({ fn: 'mean', from: daysAgo(1), everyMs: hour - 1000 }, context)).toEqual({
      resolution: 'raw',
      everyMs: hour - 1000,
    });
    expect(chooseResolution({ fn: 'mean', from: daysAgo(1), everyMs: 90 * 60_000 }, context).resolution).toBe(
      'raw',
    );
    // The boundary: from exactly at the retention's start is still raw; a millisecond earlier is not.
    expect(chooseResolution({ fn: 'mean', from: daysAgo(30), everyMs: 300_000 }, context).resolution).toBe(
      'raw',
    );
    const older = new Date(daysAgo(30).getTime() - 1);
    expect(chooseResolution({ fn: 'mean', from: older, everyMs: 300_000 }, context)).toEqual({
      resolution: 'hour',
      everyMs: hour,
    });
    expect(chooseResolution({ fn: 'mean', from: older, everyMs: 90 * 60_000 }, context).everyMs).toBe(
      2 * hour,
    );
  });

  it('reads raw for `last`, which rollups do not keep, and for everything when rollups are off', () => {
    expect(chooseResolution({ fn: 'last', from: daysAgo(300), everyMs: day }, context).resolution).toBe(
      'raw',
    );
    expect(
      chooseResolution({ fn: 'mean', from: daysAgo(300), everyMs: day }, { ...context, rollups: false })
        .resolution,
    ).toBe('raw');
  });
});

describe('folding rollups into series buckets', () => {
  const p = (sum: number, count: number, min = sum, max = sum) => ({ sum, count, min, max });

  it('folds hours into buckets aligned on the epoch, exactly', () => {
    const t = Date.parse('2026-11-30T00:00:00Z');
    const rows = [
      { start: t, key: '', partial: p(10, 1) },
      { start: t + hour, key: '', partial: p(2, 2, 0, 2) },
      { start: t + 2 * hour, key: '', partial: p(6, 3, 1, 3) },
    ];
    const fold = { resolution: 'hour', everyMs: 2 * hour, firstDay: 0, timeZone: 'UTC' } as const;
    expect(foldSeries(rows, { ...fold, fn: 'mean' })).toEqual([
      { t: '2026-11-30T00:00:00.000Z', v: 4 },
      { t: '2026-11-30T02:00:00.000Z', v: 2 },
    ]);
    expect(foldSeries(rows, { ...fold, fn: 'min' }).map((b) => b.v)).toEqual([0, 1]);
    expect(foldSeries(rows, { ...fold, fn: 'count' }).map((b) => b.v)).toEqual([3, 3]);
  });

  it('folds local days into runs from the first day, across a 23-hour day', () => {
    const tz = 'Europe/Prague';
    const d28 = Date.parse('2026-03-27T23:00:00Z');
    const d29 = Date.parse('2026-03-28T23:00:00Z');
    const d30 = Date.parse('2026-03-29T22:00:00Z');
    const d31 = Date.parse('2026-03-30T22:00:00Z');
    const rows = [d28, d29, d30, d31].map((start, i) => ({ start, key: '', partial: p(i + 1, 1) }));
    const fold = { fn: 'sum', resolution: 'day', everyMs: 2 * day, firstDay: d28, timeZone: tz } as const;
    expect(foldSeries(rows, fold)).toEqual([
      { t: '2026-03-27T23:00:00.000Z', v: 3 },
      { t: '2026-03-29T22:00:00.000Z', v: 7 },
    ]);
    expect(foldSeries(rows, { ...fold, everyMs: day }).map((b) => b.t)).toEqual(
      [d28, d29, d30, d31].map((d) => new Date(d).toISOString()),
    );
  });

  it('asks the rollups from the local day holding `from` for days, and from its hour for hours', () => {
    const request = {
      kind: 'streetlight',
      metric: 'activePower',
      fn: 'mean',
      from: new Date('2026-03-29T10:20:00Z'),
      to: new Date('2026-04-05T00:00:00Z'),
      everyMs: day,
      district: 'Centre',
    } as const;
    const days = seriesAggregateQuery(request, 'day', 'Europe/Prague');
    expect(days).toMatchObject({ granularity: 'day', by: 'all', district: 'Centre', to: request.to });
    expect(days.from.toISOString()).toBe('2026-03-28T23:00:00.000Z');
    expect(seriesAggregateQuery(request, 'hour', 'Europe/Prague').from.toISOString()).toBe(
      '2026-03-29T10:00:00.000Z',
    );
  });
});
