import type { AggregateQuery, AggregateReader, AggregateRow } from '../../cloud/rollups/aggregates.ts';
import { localDayStart } from '../../shared/local-time.ts';

/** One raw reading as the fake keeps it. */
export interface FakeReading {
  at: Date;
  kind: string;
  metric: string;
  value: number;
  district: string;
  zone: string;
  deviceId: string;
}

/**
 * An AggregateReader over readings held in memory: hours on the UTC hour, days at local midnight in
 * `timeZone`, as the contract (cloud/rollups/aggregates.ts) describes. For unit tests of what reads
 * aggregates; the real reader is the rollups pipeline's.
 */
export class FakeAggregateReader implements AggregateReader {
  readonly readings: FakeReading[] = [];
  readonly queries: AggregateQuery[] = [];
  private readonly timeZone: string;

  constructor(timeZone = 'Europe/Prague') {
    this.timeZone = timeZone;
  }

  add(...readings: FakeReading[]): void {
    this.readings.push(...readings);
  }

  async read(query: AggregateQuery): Promise<AggregateRow[]> {
    this.queries.push(query);
    const buckets = new Map<string, number[]>();
    for (const r of this.readings) {
      if (r.kind !== query.kind || r.metric !== query.metric) continue;
      const start =
        query.granularity === 'hour'
          ? new Date(Math.floor(r.at.getTime() / 3_600_000) * 3_600_000)
          : new Date(localDayStart(r.at.getTime(), this.timeZone));
      if (start < query.from || start >= query.to) continue;
      const key = query.by === 'all' ? '' : query.by === 'device' ? r.deviceId : r[query.by];
      const id = `${start.toISOString()}\u0000${key}`;
      buckets.set(id, [...(buckets.get(id) ?? []), r.value]);
    }
    return [...buckets]
      .map(([id, values]) => {
        const [start, key] = id.split('\u0000') as [string, string];
        return { start, key, value: combine(query.fn, values), readings: values.length };
      })
      .sort((a, b) => a.start.localeCompare(b.start) || a.key.localeCompare(b.key));
  }
}

function combine(fn: AggregateQuery['fn'], values: number[]): number {
  const sum = values.reduce((a, b) => a + b, 0);
  switch (fn) {
    case 'sum':
      return sum;
    case 'mean':
      return sum / values.length;
    case 'min':
      return Math.min(...values);
    case 'max':
      return Math.max(...values);
    case 'count':
      return values.length;
  }
}
