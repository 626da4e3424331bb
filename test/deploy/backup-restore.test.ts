import { execFile } from 'node:child_process';
import { readdir, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { connectAsync } from 'mqtt';
import { afterAll, describe, expect, it } from 'vitest';
import { startLocalInfluxd } from '../../cloud/storage/local-influxd.ts';
import { gatewayTopic } from '../../shared/topics.ts';
import { generateFleet } from '../../simulators/fleet.ts';
import { apiFetch, countPoints, getJson, startTestCloud } from '../helpers/cloud.ts';
import { withDevices } from '../helpers/fleet.ts';
import { tempDir } from '../helpers/temp-dir.ts';
import { waitFor } from '../helpers/wait.ts';

/**
 * The restore drill: a running cloud with readings, an alert, a rule and a user is backed up with
 * `npm run backup`'s script while it runs, restored with `npm run restore`'s into a fresh DATA_DIR
 * and a fresh influxd, and a cloud started on them answers the API as the first one did.
 */
const run = promisify(execFile);
const cli = (args: string[], env: Record<string, string>) =>
  run(process.execPath, ['scripts/backup/cli.ts', ...args], { env: { ...process.env, ...env } });

const generated = generateFleet({ seed: 5, devices: 10, devicesPerGateway: 10 });
const gatewayId = generated.gateways[0]?.id as string;
const fleet = withDevices(generated, [{ id: 'bin-drill', kind: 'wasteBin', gatewayId }]);
const cleanups: (() => Promise<void>)[] = [];
afterAll(async () => {
  for (const cleanup of cleanups.reverse()) await cleanup();
});

async function answers(apiUrl: string, from: string, to: string) {
  const paths = [
    '/api/v1/devices?limit=1000',
    '/api/v1/alerts',
    '/api/v1/rules',
    '/api/v1/users',
    `/api/v1/devices/bin-drill/series?metric=fillingLevel&fn=max&every=1m&from=${from}&to=${to}`,
  ];
  return Object.fromEntries(await Promise.all(paths.map(async (p) => [p, await getJson(`${apiUrl}${p}`)])));
}

describe('backup while running, restore into a fresh DATA_DIR and influxd', () => {
  it('comes back with the same API answers', async () => {
    const dir = await tempDir('drill');
    cleanups.push(dir.remove);
    const influxA = await startLocalInfluxd(join(dir.path, 'influx-a'));
    cleanups.push(influxA.stop);
    const database = 'drill';
    const first = await startTestCloud(influxA.url, fleet, { INFLUX_DATABASE: database });
    cleanups.push(first.stop);

    // Readings: a bin filling up to 95 % fires the default `bin-full` rule.
    const client = await connectAsync(first.mqttUrl, {
      clientId: gatewayId,
      username: gatewayId,
      password: await first.provision(gatewayId),
      reconnectPeriod: 0,
    });
    cleanups.push(() => client.endAsync(true));
    const from = new Date(Date.now() - 30 * 60_000).toISOString();
    const to = new Date(Date.now() + 60_000).toISOString();
    const readings = [60, 70, 80, 95].map((fillingLevel, i) => ({
      deviceId: 'bin-drill',
      kind: 'wasteBin',
      ts: new Date(Date.now() - (10 - i) * 60_000).toISOString(),
      metrics: { fillingLevel },
    }));
    const batch = { v: 1, gatewayId, sentAt: new Date().toISOString(), batchId: 'drill-1', readings };
    await client.publishAsync(gatewayTopic(gatewayId, 'telemetry'), JSON.stringify(batch), { qos: 1 });
    await waitFor('the bin-full alert', async () => {
      const { body } = await getJson<{ items: { ruleId: string }[] }>(`${first.apiUrl}/api/v1/alerts`);
      return body.items.some((a) => a.ruleId === 'bin-full');
    });
    await waitFor(
      'the readings in InfluxDB',
      async () => (await countPoints(first.influx, 'wasteBin', 'fillingLevel')) >= 4,
    );
    // A rule and a user of the town's own.
    const rule = (await getJson<Record<string, unknown>>(`${first.apiUrl}/api/v1/rules/bin-full`)).body;
    const put = await apiFetch(`${first.apiUrl}/api/v1/rules/drill-rule`, {
      method: 'PUT',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ ...rule, id: 'drill-rule', name: 'Drill rule' }),
    });
    expect(put.status).toBe(200);
    const user = await apiFetch(`${first.apiUrl}/api/v1/users`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({
        username: 'drill-tech',
        displayName: 'Drill',
        role: 'viewer',
        password: 'drill-first-password',
      }),
    });
    expect(user.status).toBe(201);
    const before = await answers(first.apiUrl, from, to);
    // The registry writes devices' latest values behind, every few seconds: those shown above are on
    // disk before the backup copies it (a backup taken between two flushes has the older ones).
    await first.cloud.cells.get('default')?.registry.flush();

    // Backup while the cloud runs.
    const backupDir = join(dir.path, 'backup');
    const env = { DATA_DIR: first.dataDir, INFLUX_DATABASE: database };
    const made = await cli(['backup', backupDir, '--influx-host', influxA.rpcAddress], env);
    expect(made.stdout).toMatch(/backup complete/);
    const manifest = JSON.parse(await readFile(join(backupDir, 'manifest.json'), 'utf8'));
    expect(manifest.databases.map((d: { name: string }) => d.name)).toEqual([
      'platform.db',
      'tenants/default/cloud.db',
      'tenants/default/journal.db',
      // The hours still to roll up (docs/rollups.md): restored, they are computed after the restore.
      'tenants/default/rollups.db',
      // What the devices last reported (the registry's seen thread writes it).
      'tenants/default/seen.db',
    ]);
    expect(manifest.influx).toEqual({ databases: [database] });
    expect(manifest.files.map((f: { path: string }) => f.path)).toContain('files/gateway-credentials.json');
    expect(manifest.versions.influxd).toMatch(/1\.6/);

    // Restore into a fresh DATA_DIR and a fresh influxd.
    const influxB = await startLocalInfluxd(join(dir.path, 'influx-b'));
    cleanups.push(influxB.stop);
    const dataDir = join(dir.path, 'restored');
    const restored = await cli(
      ['restore', backupDir, '--influx-host', influxB.rpcAddress, '--influx-url', influxB.url],
      {
        ...env,
        DATA_DIR: dataDir,
      },
    );
    expect(restored.stdout).toMatch(/restore complete/);
    const second = await startTestCloud(influxB.url, fleet, { INFLUX_DATABASE: database, DATA_DIR: dataDir });
    cleanups.push(second.stop);
    expect(await answers(second.apiUrl, from, to)).toEqual(before);
    expect(before['/api/v1/users'].body).toMatchObject({
      items: expect.arrayContaining([expect.objectContaining({ username: 'drill-tech' })]),
    });

    // Restore into the InfluxDB that still holds the database: its readings of the bin were lost
    // (deleted) and a newer one arrived after the backup. The backup's points come back, the newer stays.
    await first.influx.query('DELETE FROM "wasteBin"', 'POST');
    const later = {
      v: 1,
      gatewayId,
      sentAt: new Date().toISOString(),
      batchId: 'drill-2',
      readings: [
        {
          ...readings[0],
          ts: new Date(Date.now() - 40 * 60_000).toISOString(),
          metrics: { fillingLevel: 5 },
        },
      ],
    };
    await client.publishAsync(gatewayTopic(gatewayId, 'telemetry'), JSON.stringify(later), { qos: 1 });
    await waitFor(
      'only the newer reading in InfluxDB',
      async () => (await countPoints(first.influx, 'wasteBin', 'fillingLevel')) === 1,
    );
    const merged = await cli(
      ['restore', backupDir, '--influx-host', influxA.rpcAddress, '--influx-url', influxA.url],
      { ...env, DATA_DIR: join(dir.path, 'restored-again') },
    );
    expect(merged.stdout).toMatch(/InfluxDB drill exists .*: restoring into drill_restore_\d+, then merging/);
    expect(merged.stdout).toMatch(/restore complete/);
    await waitFor(
      'the four restored readings beside the newer one',
      async () => (await countPoints(first.influx, 'wasteBin', 'fillingLevel')) === 5,
    );
    const series = `/api/v1/devices/bin-drill/series?metric=fillingLevel&fn=max&every=1m&from=${from}&to=${to}`;
    expect(await getJson(`${first.apiUrl}${series}`)).toEqual(before[series]);
    const { body } = await getJson<{ results: { series?: { values: string[][] }[] }[] }>(
      `${influxA.url}/query?q=${encodeURIComponent('SHOW DATABASES')}`,
    );
    expect(body.results[0]?.series?.[0]?.values.flat()).not.toContainEqual(
      expect.stringMatching(/_restore_/),
    );
  });

  it('refuses a non-empty DATA_DIR without --force, and a damaged backup', async () => {
    const dir = await tempDir('drill-refusals');
    cleanups.push(dir.remove);
    const backupDir = join(dir.path, 'backup');
    await writeFile(join(dir.path, 'placeholder'), '');
    const made = await cli(['backup', backupDir, '--no-influx'], { DATA_DIR: dir.path });
    expect(made.stdout).toMatch(/InfluxDB skipped/);
    const refused = await cli(['restore', backupDir], { DATA_DIR: dir.path }).catch((e) => e);
    expect(refused.stderr).toMatch(/is not empty .*--force/);
    await writeFile(join(backupDir, 'files', 'placeholder'), 'changed');
    const damaged = await cli(['restore', backupDir], { DATA_DIR: join(dir.path, 'fresh') }).catch((e) => e);
    expect(damaged.stderr).toMatch(/damaged: files\/placeholder does not match its checksum/);
    expect(await readdir(join(dir.path, 'fresh')).catch(() => [])).toEqual([]);
  });
});
