import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { InfluxConnection } from '../cloud/storage/influx.ts';
import { startLocalInfluxd } from '../cloud/storage/local-influxd.ts';
import { restoreInfluxDatabase } from '../scripts/backup/influx-restore.ts';
import { runInfluxd } from '../scripts/backup/influxd-tool.ts';

/**
 * The restore's merge into an InfluxDB that holds the database, again and again: a private influxd
 * with four readings, a portable backup of them, then per round the readings deleted and the backup
 * restored into it (influx-restore.ts). Counts the rounds after which the four are not all back.
 * `node bench/restore-merge.ts [rounds]` (default 20).
 */
const rounds = Number(process.argv[2] ?? 20);
const dir = await mkdtemp(join(tmpdir(), 'restore-merge-'));
const influxd = await startLocalInfluxd(join(dir, 'influxdb'));
try {
  const influx = new InfluxConnection({ url: influxd.url, token: '', database: 'drill', org: '' });
  await influx.query('CREATE DATABASE "drill"', 'POST');
  const now = Date.now();
  const lines = [60, 70, 80, 95].map(
    (level, i) => `drill_level,deviceId=bin fillingLevel=${level} ${now - (10 - i) * 60_000}`,
  );
  await fetch(`${influxd.url}/write?db=drill&precision=ms`, { method: 'POST', body: lines.join('\n') });
  await runInfluxd(['backup', '-portable', '-db', 'drill', '-host', influxd.rpcAddress, join(dir, 'backup')]);
  const count = async () =>
    Number((await influx.select('SELECT COUNT("fillingLevel") FROM "drill_level"'))[0]?.values[0]?.[1] ?? 0);
  let short = 0;
  for (let round = 1; round <= rounds; round++) {
    await influx.query('DELETE FROM "drill_level"', 'POST');
    const started = performance.now();
    const merged: string[] = [];
    const failure = await restoreInfluxDatabase(
      { host: influxd.rpcAddress, url: influxd.url },
      'drill',
      join(dir, 'backup'),
      (message) => merged.push(message),
    ).catch((error: Error) => error.message);
    const ms = Math.round(performance.now() - started);
    const back = await count();
    if (back !== lines.length) short++;
    console.log(`round ${round}: ${back} of ${lines.length} back, ${ms} ms; ${failure ?? merged.at(-1)}`);
  }
  console.log(`${short} of ${rounds} rounds left readings out`);
} finally {
  await influxd.stop();
  await rm(dir, { recursive: true, force: true });
}
