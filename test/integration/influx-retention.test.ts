import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openInflux } from '../../cloud/storage/influx-setup.ts';
import { rows } from '../../cloud/storage/influxql.ts';
import type { LocalInfluxd } from '../../cloud/storage/local-influxd.ts';
import { silentLog } from '../helpers/cloud.ts';
import { startTestInfluxd } from '../helpers/influxd.ts';

let influxd: LocalInfluxd;
beforeAll(async () => {
  influxd = await startTestInfluxd();
});
afterAll(() => influxd?.stop());

/** What the cloud does at start with READINGS_RETENTION_DAYS = days, against the real influxd. */
const open = async (database: string, days: number) =>
  (
    await openInflux(
      {
        INFLUX_URL: influxd.url,
        INFLUX_TOKEN: '',
        INFLUX_DATABASE: database,
        INFLUX_ORG: '',
        DATA_DIR: '/nonexistent',
        READINGS_RETENTION_DAYS: days,
      },
      silentLog,
    )
  ).influx;

const showPolicies = async (database: string, days: number) => {
  const influx = await open(database, days);
  const [series] = await influx.query(`SHOW RETENTION POLICIES ON "${database}"`);
  return { influx, policies: rows(series?.[0]) };
};

describe('InfluxDB 1.x retention (READINGS_RETENTION_DAYS)', () => {
  it('sets the default policy at start and changes it with the setting, keeping what was written', async () => {
    const first = await showPolicies('retained', 30);
    expect(first.policies).toEqual([
      expect.objectContaining({
        name: 'autogen',
        duration: '720h0m0s',
        shardGroupDuration: '24h0m0s',
        default: true,
      }),
    ]);
    const written = new Date(Date.now() - 3_600_000).getTime();
    await fetch(`${influxd.url}/write?db=retained&precision=ms`, {
      method: 'POST',
      body: `m v=1 ${written}`,
    });
    const second = await showPolicies('retained', 400);
    expect(second.policies).toEqual([
      expect.objectContaining({
        name: 'autogen',
        duration: '9600h0m0s',
        shardGroupDuration: '168h0m0s',
        default: true,
      }),
    ]);
    const third = await showPolicies('retained', 1);
    expect(third.policies).toEqual([
      expect.objectContaining({
        name: 'autogen',
        duration: '24h0m0s',
        shardGroupDuration: '1h0m0s',
        default: true,
      }),
    ]);
    expect(await third.influx.select('SELECT v FROM m')).toEqual([
      expect.objectContaining({ values: [[written, 1]] }),
    ]);
  });

  it('alters the database default policy whatever its name, and creates one where there is none', async () => {
    const post = (q: string) =>
      fetch(`${influxd.url}/query?${new URLSearchParams({ q })}`, { method: 'POST' });
    await post('CREATE DATABASE "named" WITH DURATION 2h NAME "short"');
    expect((await showPolicies('named', 7)).policies).toEqual([
      expect.objectContaining({ name: 'short', duration: '168h0m0s', default: true }),
    ]);
    await post('CREATE DATABASE "bare"');
    await post('DROP RETENTION POLICY "autogen" ON "bare"');
    expect((await showPolicies('bare', 14)).policies).toEqual([
      expect.objectContaining({ name: 'autogen', duration: '336h0m0s', default: true }),
    ]);
  });
});
