import { cellToLatLng } from 'h3-js';
import { type CoverageClass, type CoverageMetric, classify } from './classes.ts';

export const hourMs = 3_600_000;

/** [west, south, east, north] in degrees, as RFC 7946 writes a box (cloud/live/bbox.ts parses one). */
export type Bbox = [west: number, south: number, east: number, north: number];
export const dayMs = 24 * hourMs;

/** A sum and a count of measurements: means combine exactly from them. */
export interface Tally {
  sum: number;
  count: number;
}

/**
 * What one source (a device or a gateway) measured in one map cell and one hour (or day): the sums
 * and counts of its RSRP and SINR. `start` is the bucket's start (ms since the epoch, UTC).
 */
export interface LinkSample {
  start: number;
  cell: string;
  source: string;
  rsrp: Tally;
  sinr: Tally;
}

/** A cell in one bucket (an hour, or a day of 24 hours from `from`) with its class. */
export interface CellQuality {
  start: number;
  cell: string;
  /** Mean RSRP (dBm) and SINR (dB); undefined where nothing measured it. */
  rsrp?: number;
  sinr?: number;
  /** How many measurements back each mean. */
  readings: { rsrp: number; sinr: number };
  /** How many devices and gateways measured there. */
  sources: number;
  class: CoverageClass;
}

export interface Bucketing {
  from: Date;
  granularity: 'hour' | 'day';
}

/** The bucket an hour falls in: itself, or the day (24 h counted from `from`) that holds it. */
export function bucketOf(start: number, { from, granularity }: Bucketing): number {
  if (granularity === 'hour') return start;
  return from.getTime() + Math.floor((start - from.getTime()) / dayMs) * dayMs;
}

/** Whether a cell's centre lies in the box (west > east: the box crosses the antimeridian). */
export function cellInBox(cell: string, [west, south, east, north]: Bbox): boolean {
  const [lat, lon] = cellToLatLng(cell);
  if (lat < south || lat > north) return false;
  return west <= east ? lon >= west && lon <= east : lon >= west || lon <= east;
}

const add = (into: Tally, more: Tally) => {
  into.sum += more.sum;
  into.count += more.count;
};
const mean = (t: Tally) => (t.count > 0 ? t.sum / t.count : undefined);

/**
 * The cells' link quality per bucket, from the samples of every source: means from the summed sums
 * and counts (a source that measured more weighs more), classified on `metric`. A cell whose figure
 * was not measured in a bucket is left out. Ordered by start, then cell.
 */
export function cellQualities(
  samples: Iterable<LinkSample>,
  bucketing: Bucketing,
  metric: CoverageMetric,
): CellQuality[] {
  const buckets = new Map<
    string,
    { start: number; cell: string; rsrp: Tally; sinr: Tally; sources: Set<string> }
  >();
  for (const sample of samples) {
    const start = bucketOf(sample.start, bucketing);
    const key = `${start} ${sample.cell}`;
    let bucket = buckets.get(key);
    if (!bucket) {
      bucket = {
        start,
        cell: sample.cell,
        rsrp: { sum: 0, count: 0 },
        sinr: { sum: 0, count: 0 },
        sources: new Set(),
      };
      buckets.set(key, bucket);
    }
    add(bucket.rsrp, sample.rsrp);
    add(bucket.sinr, sample.sinr);
    bucket.sources.add(sample.source);
  }
  const qualities: CellQuality[] = [];
  for (const b of buckets.values()) {
    const means = { rsrp: mean(b.rsrp), sinr: mean(b.sinr) };
    const found = classify(means, metric);
    if (!found) continue;
    qualities.push({
      start: b.start,
      cell: b.cell,
      ...(means.rsrp === undefined ? {} : { rsrp: means.rsrp }),
      ...(means.sinr === undefined ? {} : { sinr: means.sinr }),
      readings: { rsrp: b.rsrp.count, sinr: b.sinr.count },
      sources: b.sources.size,
      class: found,
    });
  }
  return qualities.sort((a, b) => a.start - b.start || (a.cell < b.cell ? -1 : a.cell > b.cell ? 1 : 0));
}
