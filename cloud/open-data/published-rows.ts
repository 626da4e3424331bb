import { localDayStart } from '../../shared/local-time.ts';
import { InvalidRequestError } from '../errors/domain-error.ts';
import type { AggregateReader, AggregateRow } from '../rollups/aggregates.ts';
import { bucketMs, countsPeople, type Dataset } from './dataset.ts';
import {
  type PublishedCell,
  suppressDailySums,
  suppressHourlySums,
  suppressSmall,
  unsuppressed,
} from './suppression.ts';

/** What publication reads: the tenant's aggregates, its time zone and the clock. */
export interface PublicationSource {
  reader: AggregateReader;
  timezone: () => string;
  now: () => Date;
}

/** Buckets of a range asked for: from (inclusive) to (exclusive), on bucket starts. */
export interface Range {
  from: Date;
  to: Date;
}

/** How far back an answer reaches when no range is asked for, and the longest range one answer covers. */
const defaultSpanMs = { hour: 7 * 86_400_000, day: 366 * 86_400_000 } as const;
const maxSpanMs = { hour: 31 * 86_400_000, day: 3 * 366 * 86_400_000 } as const;

/**
 * The end (exclusive, on bucket starts) of what may be published now: buckets that ended at least
 * the dataset's delay ago. Hours start on the hour; days at local midnight in the tenant's zone.
 */
export function publishedUntil(dataset: Dataset, now: Date, timezone: string): Date {
  const cutoff = new Date(now.getTime() - dataset.delayMinutes * 60_000);
  if (dataset.granularity === 'day') return new Date(localDayStart(cutoff.getTime(), timezone));
  return new Date(Math.floor(cutoff.getTime() / bucketMs.hour) * bucketMs.hour);
}

/** The range of `from` and `to` (ISO 8601, optional): refused when malformed, reversed or too long. */
export function rangeOf(dataset: Dataset, query: { from?: string; to?: string }, until: Date): Range {
  const parse = (name: 'from' | 'to'): Date | undefined => {
    const text = query[name];
    if (text === undefined) return undefined;
    const date = new Date(text);
    if (!/^\d{4}-\d{2}-\d{2}/.test(text) || Number.isNaN(date.getTime()))
      throw new InvalidRequestError(`${name}: not an ISO 8601 date or time (${text.slice(0, 40)})`);
    return date;
  };
  const to = parse('to') ?? until;
  const from = parse('from') ?? new Date(to.getTime() - defaultSpanMs[dataset.granularity]);
  if (from.getTime() >= to.getTime()) throw new InvalidRequestError('from must be before to');
  if (to.getTime() - from.getTime() > maxSpanMs[dataset.granularity])
    throw new InvalidRequestError(
      `at most ${maxSpanMs[dataset.granularity] / 86_400_000} days of ${dataset.granularity}s in one answer`,
    );
  return { from, to };
}

/**
 * The cells of a dataset as the public sees them: the buckets of the range that may be published
 * now, a count of people with its small values suppressed (suppression.ts). Ordered by start, then
 * spatial unit.
 */
export async function publishedCells(
  dataset: Dataset,
  range: Range,
  source: PublicationSource,
): Promise<PublishedCell[]> {
  const timezone = source.timezone();
  const until = publishedUntil(dataset, source.now(), timezone);
  const to = new Date(Math.min(range.to.getTime(), until.getTime()));
  if (range.from.getTime() >= to.getTime()) return [];
  const read = (granularity: Dataset['granularity'], from: Date): Promise<AggregateRow[]> =>
    source.reader.read({
      kind: dataset.kind,
      metric: dataset.metric,
      fn: dataset.aggregate,
      granularity,
      from,
      to,
      by: dataset.unit,
    });
  const k = dataset.minCellSize;
  if (k === undefined || !countsPeople(dataset.kind, dataset.metric))
    return unsuppressed(await read(dataset.granularity, range.from));
  if (dataset.aggregate !== 'sum') return suppressSmall(await read(dataset.granularity, range.from), k);
  // Every place of an hour shares its day: one time-zone conversion per hour, not per cell.
  const days = new Map<string, string>();
  const dayOf = (start: string) => {
    let day = days.get(start);
    if (day === undefined) {
      day = new Date(localDayStart(Date.parse(start), timezone)).toISOString();
      days.set(start, day);
    }
    return day;
  };
  // Whole local days: the complementary suppression of an hour depends on the hours before it that day.
  const dayStart = new Date(localDayStart(range.from.getTime(), timezone));
  const hours = await read('hour', dayStart);
  if (dataset.granularity === 'day') return suppressDailySums(await read('day', range.from), hours, k, dayOf);
  const from = range.from.getTime();
  return suppressHourlySums(hours, k, dayOf).cells.filter((cell) => Date.parse(cell.start) >= from);
}
