import { offsetAt } from '../shared/local-time.ts';

/** Wall-clock time of day and day of week in a time zone. */
export interface LocalClock {
  /** Fractional hour of the day, 0 <= hour < 24. */
  hour: number;
  /** 0 = Sunday ... 6 = Saturday. */
  weekday: number;
}

const HOUR_MS = 3_600_000;
const DAY_MS = 24 * HOUR_MS;
/** UTC offsets change on quarter-hour boundaries in every zone in use, so one lookup serves a whole bucket. */
const BUCKET_MS = 15 * 60_000;
const MAX_CACHED_BUCKETS = 4_096;

/** Each zone's offsets by quarter-hour bucket. */
const zones = new Map<string, Map<number, number>>();

/** Milliseconds to add to a UTC instant to get the wall-clock time in the zone. */
function offsetMs(ms: number, timezone: string): number {
  let offsets = zones.get(timezone);
  if (!offsets) {
    offsets = new Map();
    zones.set(timezone, offsets);
  }
  const bucket = Math.floor(ms / BUCKET_MS);
  let offset = offsets.get(bucket);
  if (offset === undefined) {
    if (offsets.size >= MAX_CACHED_BUCKETS) offsets.clear();
    offset = offsetAt(bucket * BUCKET_MS, timezone);
    offsets.set(bucket, offset);
  }
  return offset;
}

/** The local hour and weekday of `date` in an IANA time zone. Cheap after the first call per quarter hour. */
export function localClock(date: Date, timezone: string): LocalClock {
  const local = date.getTime() + offsetMs(date.getTime(), timezone);
  const days = Math.floor(local / DAY_MS);
  return {
    hour: (local - days * DAY_MS) / HOUR_MS,
    // 1970-01-01 was a Thursday.
    weekday: (((days + 4) % 7) + 7) % 7,
  };
}
