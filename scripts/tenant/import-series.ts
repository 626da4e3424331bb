import { createReadStream } from 'node:fs';
import { join } from 'node:path';
import { parse } from 'csv-parse';
import type { InfluxConnection } from '../../cloud/storage/influx.ts';
import { partLines } from './import-store.ts';
import type { PartSchema } from './manifest.ts';
import { csvHeader, parseCell, recordLine } from './series-csv.ts';

/** Lines sent to InfluxDB in one write. */
const batchLines = 5_000;

/**
 * Points into the tenant's InfluxDB database through the client's WriteApi (on 1.x before 1.8, the
 * v1 /write endpoint; see cloud/storage/influx.ts), a batch at a time: each batch is written before
 * the next is read.
 */
export class PointSink {
  private readonly influx: InfluxConnection;
  private readonly api: ReturnType<InfluxConnection['writeApi']>;
  private batch: string[] = [];

  constructor(influx: InfluxConnection) {
    this.influx = influx;
    this.api = influx.writeApi({ batchSize: batchLines + 1, flushInterval: 0, maxRetries: 0 });
  }

  async add(line: string): Promise<void> {
    this.batch.push(line);
    if (this.batch.length >= batchLines) await this.flush();
  }

  async flush(): Promise<void> {
    if (this.batch.length === 0) return;
    const lines = this.batch;
    this.batch = [];
    this.api.writeRecords(lines);
    try {
      await this.api.flush();
    } catch (error) {
      throw new Error(
        `InfluxDB ${this.influx.settings.database} refused a write: ${(error as Error).message}`,
        {
          cause: error,
        },
      );
    }
  }

  async close(): Promise<void> {
    await this.flush();
    await this.api.close();
  }
}

/** Writes a measurement part (CSV) into InfluxDB; returns its points. */
export async function importMeasurement(
  sink: PointSink,
  folder: string,
  path: string,
  schema: Extract<PartSchema, { type: 'measurement' }>,
  tick: (rows: number) => void,
): Promise<number> {
  const records = createReadStream(join(folder, path)).pipe(parse({ cast: parseCell }));
  const header = csvHeader(schema.columns);
  let number = 0;
  for await (const record of records as AsyncIterable<(string | null)[]>) {
    number++;
    try {
      if (number === 1) {
        if (JSON.stringify(record) !== JSON.stringify(header))
          throw new Error(`the header is not ${header.join(',')}`);
        continue;
      }
      await sink.add(recordLine(schema.measurement, schema.columns, record));
    } catch (error) {
      throw new Error(`${path} record ${number}: ${(error as Error).message}`, { cause: error });
    }
    tick(number - 1);
  }
  await sink.flush();
  return Math.max(0, number - 1);
}

/** Writes the points of the journal's part (line protocol) into InfluxDB; returns how many. */
export async function importPendingPoints(
  sink: PointSink,
  folder: string,
  path: string,
  tick: (rows: number) => void,
): Promise<number> {
  let points = 0;
  for await (const [, line] of partLines(folder, path)) {
    await sink.add(line);
    tick(++points);
  }
  await sink.flush();
  return points;
}
