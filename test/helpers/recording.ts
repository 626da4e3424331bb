import { expect } from 'vitest';
import type { InfluxConnection } from '../../cloud/storage/influx.ts';
import { compareStored } from '../../scripts/verify-stored.ts';
import type { Reading } from '../../shared/kinds/index.ts';
import { waitFor } from './wait.ts';

/**
 * Waits until InfluxDB holds every reading the devices produced, each with all its fields (a write
 * becomes visible field by field, see `compareStored`), then checks that they are exactly those
 * readings: none missing, none extra, every value intact.
 */
export async function expectEveryReadingStored(
  influx: InfluxConnection,
  readings: Reading[],
  timeoutMs = 30_000,
) {
  const comparison = await waitFor(
    `all ${readings.length} readings in InfluxDB`,
    async () => {
      const result = await compareStored(influx, readings);
      return result.every((k) => k.missingCount === 0) ? result : undefined;
    },
    timeoutMs,
  ).catch(async (error: Error) => {
    const result = await compareStored(influx, readings);
    throw new Error(`${error.message}\n${JSON.stringify(result, null, 2)}`);
  });
  for (const kind of comparison) {
    expect(kind, `${kind.kind}: stored = produced, values intact`).toMatchObject({
      stored: kind.produced,
      missingCount: 0,
      mismatched: [],
      extra: 0,
    });
  }
  expect(comparison.reduce((n, k) => n + k.produced, 0)).toBe(readings.length);
}
