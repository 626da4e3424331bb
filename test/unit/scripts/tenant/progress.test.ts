import { describe, expect, it } from 'vitest';
import { formatBytes, formatRows, Progress, progressEveryMs } from '../../../../scripts/tenant/progress.ts';

describe('progress of a long export', () => {
  it('says each part, its rows every few seconds, and what it came to', () => {
    let now = 1_000;
    const said: string[] = [];
    const progress = new Progress(
      (m) => said.push(m),
      () => now,
    );
    progress.start(3, 20, 'influxdb/streetlight.csv');
    now += progressEveryMs - 1;
    progress.rows(5_000);
    now += 1;
    progress.rows(10_000);
    now += progressEveryMs - 1;
    progress.rows(15_000);
    progress.done(17_500, 2_400_000);
    progress.start(4, 20, 'store/devices.ndjson');
    progress.done(1);
    expect(said).toEqual([
      '[3/20] influxdb/streetlight.csv',
      '  influxdb/streetlight.csv: 10,000 rows so far',
      '  influxdb/streetlight.csv: 17,500 rows, 2.3 MiB',
      '[4/20] store/devices.ndjson',
      '  store/devices.ndjson: 1 row',
    ]);
  });

  it('counts in the units a person reads', () => {
    expect(formatRows(0)).toBe('0 rows');
    expect(formatRows(1)).toBe('1 row');
    expect(formatRows(1234567)).toBe('1,234,567 rows');
    expect(formatBytes(1023)).toBe('1023 B');
    expect(formatBytes(1024)).toBe('1.0 KiB');
    expect(formatBytes(1024 * 1024 - 1)).toBe('1024.0 KiB');
    expect(formatBytes(1024 * 1024)).toBe('1.0 MiB');
    expect(formatBytes(5 * 1024 ** 4)).toBe('5.0 TiB');
    expect(formatBytes(5 * 1024 ** 5)).toBe('5120.0 TiB');
  });
});
