import { expect } from 'vitest';
import type { InfluxConnection } from '../../cloud/storage/influx.ts';
import { rows } from '../../cloud/storage/influxql.ts';
import type { DeviceDriver } from '../../edge/drivers/driver.ts';
import type { DeviceEvent, DeviceKind, Reading } from '../../shared/kinds/index.ts';
import { waitFor } from './wait.ts';

/** Wraps a driver and keeps a copy of everything it produced: what the devices "published". */
export class RecordingDriver implements DeviceDriver {
  readonly readings: Reading[] = [];
  readonly events: DeviceEvent[] = [];
  private readonly inner: DeviceDriver;
  constructor(inner: DeviceDriver) {
    this.inner = inner;
  }
  get kind() {
    return this.inner.kind;
  }
  get deviceCount() {
    return this.inner.deviceCount;
  }
  has(deviceId: string) {
    return this.inner.has(deviceId);
  }
  execute(...args: Parameters<DeviceDriver['execute']>) {
    return this.inner.execute(...args);
  }
  async poll(now: Date) {
    const result = await this.inner.poll(now);
    this.readings.push(...result.readings);
    this.events.push(...result.events);
    return result;
  }
  close() {
    return this.inner.close();
  }
}

const kinds: DeviceKind[] = ['streetlight', 'wasteBin', 'camera'];

/**
 * Waits until InfluxDB holds as many points per kind as the devices produced, then checks that they
 * are exactly those readings: none missing, none extra, every value intact.
 */
export async function expectEveryReadingStored(
  influx: InfluxConnection,
  readings: Reading[],
  timeoutMs = 30_000,
) {
  for (const kind of kinds) {
    const expected = readings.filter((r) => r.kind === kind);
    const stored = await waitFor(
      `${expected.length} ${kind} points in InfluxDB`,
      async () => {
        const [series] = await influx.select(`SELECT * FROM "${kind}"`);
        const points = rows(series);
        return points.length >= expected.length ? points : undefined;
      },
      timeoutMs,
    );
    expect(stored, `${kind}: stored = published`).toHaveLength(expected.length);
    const byKey = new Map(stored.map((row) => [`${row.device}@${row.time}`, row]));
    for (const reading of expected) {
      const row = byKey.get(`${reading.deviceId}@${Date.parse(reading.ts)}`);
      expect(row, `${reading.deviceId} at ${reading.ts}`).toMatchObject(reading.metrics);
    }
  }
}
