import type { InfluxConnection } from '../cloud/storage/influx.ts';
import { rows } from '../cloud/storage/influxql.ts';
import { type DeviceKind, deviceKind, type Reading } from '../shared/kinds/index.ts';

export interface StoredComparison {
  kind: DeviceKind;
  produced: number;
  stored: number;
  /**
   * Readings produced but not stored, or not yet with all their fields (device@time, at most 20
   * listed). InfluxDB 1.x stores each field of a point as its own series and makes a write visible
   * field by field, so while a write is being applied a query can return the point with some fields
   * null: such a point is still on its way, not stored with other values.
   */
  missing: string[];
  missingCount: number;
  /** Stored points with every field, whose values differ from what the device produced. */
  mismatched: string[];
  /** Stored points no device produced. */
  extra: number;
}

/**
 * Compares what the devices produced with what InfluxDB holds, kind by kind: a reading is identified
 * by device and timestamp, and every metric value must be stored exactly.
 */
export async function compareStored(
  influx: Pick<InfluxConnection, 'select'>,
  readings: Reading[],
): Promise<StoredComparison[]> {
  const result: StoredComparison[] = [];
  for (const kind of deviceKind.options) {
    const produced = readings.filter((r) => r.kind === kind);
    const [series] = await influx.select(`SELECT * FROM "${kind}"`);
    const stored = new Map(rows(series).map((row) => [`${row.device}@${row.time}`, row]));
    const missing: string[] = [];
    const mismatched: string[] = [];
    const seen = new Set<string>();
    for (const reading of produced) {
      const key = `${reading.deviceId}@${Date.parse(reading.ts)}`;
      seen.add(key);
      const row = stored.get(key);
      const metrics = Object.entries(reading.metrics);
      if (!row || metrics.some(([name]) => row[name] === null || row[name] === undefined)) missing.push(key);
      else if (metrics.some(([name, value]) => row[name] !== value)) mismatched.push(key);
    }
    result.push({
      kind,
      produced: produced.length,
      stored: stored.size,
      missing: missing.slice(0, 20),
      missingCount: missing.length,
      mismatched: mismatched.slice(0, 20),
      extra: [...stored.keys()].filter((k) => !seen.has(k)).length,
    });
  }
  return result;
}
