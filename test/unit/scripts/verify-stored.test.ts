import { describe, expect, it } from 'vitest';
import type { Series } from '../../../cloud/storage/influxql.ts';
import { compareStored } from '../../../scripts/verify-stored.ts';
import type { Reading } from '../../../shared/kinds/index.ts';
import { validReadings } from '../fixtures.ts';

const produced = validReadings.streetlight as Reading;
const time = Date.parse(produced.ts);
const tags = {
  device: produced.deviceId,
  district: 'centrum',
  gateway: 'gw-centrum-01',
  kind: 'streetlight',
};

/** What `SELECT * FROM "streetlight"` answers when InfluxDB holds these rows (the other kinds are empty). */
function influxHolding(...stored: Record<string, unknown>[]) {
  const columns = ['time', ...Object.keys(produced.metrics), ...Object.keys(tags)];
  const series: Series = {
    name: 'streetlight',
    columns,
    values: stored.map((row) => columns.map((c) => row[c] ?? null)),
  };
  return {
    select: async (query: string) => (query === 'SELECT * FROM "streetlight"' ? [series] : []),
  };
}

async function streetlights(...stored: Record<string, unknown>[]) {
  const comparison = await compareStored(influxHolding(...stored), [produced]);
  return comparison.find((k) => k.kind === 'streetlight');
}

describe('compareStored', () => {
  it('finds a reading stored with every value intact', async () => {
    expect(await streetlights({ time, ...tags, ...produced.metrics })).toMatchObject({
      produced: 1,
      stored: 1,
      missingCount: 0,
      mismatched: [],
      extra: 0,
    });
  });

  it('reports a stored value that differs from the produced one as mismatched', async () => {
    expect(await streetlights({ time, ...tags, ...produced.metrics, voltage: 229.9 })).toMatchObject({
      missingCount: 0,
      mismatched: [`${produced.deviceId}@${time}`],
    });
  });

  it('counts a point InfluxDB shows with only some fields (a write being applied) as not yet stored', async () => {
    // InfluxDB 1.x makes a write visible field by field: a query can see a point's voltage before
    // its other fields. That is a write on its way, not a value stored differently.
    expect(await streetlights({ time, ...tags, voltage: produced.metrics.voltage })).toMatchObject({
      missing: [`${produced.deviceId}@${time}`],
      missingCount: 1,
      mismatched: [],
    });
  });

  it('counts a point no device produced as extra', async () => {
    expect(
      await streetlights(
        { time, ...tags, ...produced.metrics },
        { time: time + 1_000, ...tags, ...produced.metrics },
      ),
    ).toMatchObject({ stored: 2, missingCount: 0, mismatched: [], extra: 1 });
  });
});
