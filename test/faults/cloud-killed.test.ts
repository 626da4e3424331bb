import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { connectInflux } from '../../cloud/storage/influx.ts';
import { type CloudProcess, startCloudProcess } from '../../scripts/cloud-process.ts';
import { streamingCity } from '../../scripts/streaming-city.ts';
import { generateFleet } from '../../simulators/fleet.ts';
import { cleanupsAfterAll } from '../helpers/cleanups.ts';
import { getJson, silentLog } from '../helpers/cloud.ts';
import { cloudProcessEnv } from '../helpers/cloud-process-env.ts';
import { startTestInfluxd } from '../helpers/influxd.ts';
import { expectEveryReadingStored } from '../helpers/recording.ts';
import { tempDir } from '../helpers/temp-dir.ts';
import { waitFor } from '../helpers/wait.ts';

const cleanups = cleanupsAfterAll();

describe('the cloud process is killed with SIGKILL during a stream', () => {
  it('loses no acknowledged reading and stores none twice after it restarts', {
    timeout: 120_000,
  }, async () => {
    const influxd = await startTestInfluxd();
    cleanups.push(() => influxd.stop());
    const dir = await tempDir('kill');
    cleanups.push(() => dir.remove());
    const fleet = generateFleet({ seed: 21, devices: 60, devicesPerGateway: 20 });
    const { env, secrets } = await cloudProcessEnv({
      dir: dir.path,
      fleet,
      influxUrl: influxd.url,
      database: 'killtest',
    });
    let cloud: CloudProcess = await startCloudProcess(env);
    cleanups.push(async () => cloud.child.kill('SIGKILL'));
    const city = await streamingCity({
      log: silentLog,
      fleet,
      mqttUrl: `mqtt://127.0.0.1:${env.MQTT_PORT}`,
      dataDir: join(dir.path, 'edge'),
      secrets,
    });
    cleanups.push(() => city.stop());
    const stopStream = city.stream();

    for (let kill = 0; kill < 2; kill++) {
      await waitFor('readings flowing', async () => {
        const { body } = await getJson<{ counters: Record<string, number> }>(`${cloud.apiUrl}/health`);
        return (body.counters.readings_accepted ?? 0) > 500;
      });
      cloud.child.kill('SIGKILL');
      expect(await cloud.exited).toBe('SIGKILL');
      cloud = await startCloudProcess(env);
    }
    await waitFor('every gateway to reconnect', () => [...city.agents.values()].every((a) => a.connected));
    await new Promise((r) => setTimeout(r, 500));
    await stopStream();
    await city.drained();

    const influx = await connectInflux({ url: influxd.url, token: '', database: 'killtest', org: '' });
    const readings = city.readings();
    expect(readings.length).toBeGreaterThan(1_500);
    await expectEveryReadingStored(influx, readings);
  });
});
