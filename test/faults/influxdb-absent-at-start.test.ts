import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { connectInflux } from '../../cloud/storage/influx.ts';
import { freePort, type LocalInfluxd, startLocalInfluxd } from '../../cloud/storage/local-influxd.ts';
import { type CloudProcess, startCloudProcess } from '../../scripts/cloud-process.ts';
import { streamingCity } from '../../scripts/streaming-city.ts';
import { generateFleet } from '../../simulators/fleet.ts';
import { cleanupsAfterAll } from '../helpers/cleanups.ts';
import { getJson, silentLog } from '../helpers/cloud.ts';
import { cloudProcessEnv } from '../helpers/cloud-process-env.ts';
import { expectEveryReadingStored } from '../helpers/recording.ts';
import { tempDir } from '../helpers/temp-dir.ts';
import { waitFor } from '../helpers/wait.ts';

const cleanups = cleanupsAfterAll();

interface Health {
  status: string;
  reasons: string[];
  influx: { reachable: boolean };
  journal: { lines: number };
  counters: Record<string, number>;
}

describe('the cloud starts while InfluxDB is unreachable', () => {
  it('accepts into the journal, survives a kill -9 during the outage, and drains once InfluxDB is up', {
    timeout: 120_000,
  }, async () => {
    const dir = await tempDir('no-influx');
    cleanups.push(() => dir.remove());
    const fleet = generateFleet({ seed: 23, devices: 40, devicesPerGateway: 20 });
    // Nothing listens on this port until the end of the test.
    const influxPort = await freePort();
    const { env, secrets } = await cloudProcessEnv({
      dir: dir.path,
      fleet,
      influxUrl: `http://127.0.0.1:${influxPort}`,
      database: 'absent',
    });
    let cloud: CloudProcess = await startCloudProcess(env);
    cleanups.push(async () => cloud.child.kill('SIGKILL'));
    const health = async () => (await getJson<Health>(`${cloud.apiUrl}/health`)).body;
    // Ready: it can accept and make durable; degraded: InfluxDB is not there.
    expect((await fetch(`${cloud.apiUrl}/health/ready`)).status).toBe(200);
    expect(await health()).toMatchObject({ status: 'degraded', influx: { reachable: false } });

    const city = await streamingCity({
      log: silentLog,
      fleet,
      mqttUrl: `mqtt://127.0.0.1:${env.MQTT_PORT}`,
      dataDir: join(dir.path, 'edge'),
      secrets,
    });
    cleanups.push(() => city.stop());
    const stopStream = city.stream();
    // Well past 300: /health counts lines handed to the storage thread, some not yet on disk at the kill.
    await waitFor('readings journaled', async () => (await health()).journal.lines > 400);

    // A crash during the outage, and a restart still without InfluxDB: intake goes on.
    cloud.child.kill('SIGKILL');
    expect(await cloud.exited).toBe('SIGKILL');
    cloud = await startCloudProcess(env);
    const kept = (await health()).journal.lines;
    expect(kept).toBeGreaterThan(300);
    await waitFor('readings journaled after the restart', async () => {
      const now = await health();
      return (now.counters.readings_accepted ?? 0) > 300 && now.journal.lines > kept;
    });

    const influxd: LocalInfluxd = await startLocalInfluxd(join(dir.path, 'influxdb'), {
      httpPort: influxPort,
    });
    cleanups.push(() => influxd.stop());
    await stopStream();
    await city.drained();
    await waitFor('the journal drained', async () => (await health()).journal.lines === 0, 60_000);
    expect(await health()).toMatchObject({ status: 'ok', influx: { reachable: true } });
    const influx = await connectInflux({ url: influxd.url, token: '', database: 'absent', org: '' });
    await expectEveryReadingStored(influx, city.readings());
  });
});
