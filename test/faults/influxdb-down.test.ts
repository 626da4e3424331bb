import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { connectInflux } from '../../cloud/storage/influx.ts';
import { type LocalInfluxd, startLocalInfluxd } from '../../cloud/storage/local-influxd.ts';
import { streamingCity } from '../../scripts/streaming-city.ts';
import { generateFleet } from '../../simulators/fleet.ts';
import { cleanupsAfterAll } from '../helpers/cleanups.ts';
import { silentLog, startTestCloud, type TestCloud } from '../helpers/cloud.ts';
import { expectEveryReadingStored } from '../helpers/recording.ts';
import { tempDir } from '../helpers/temp-dir.ts';
import { waitFor } from '../helpers/wait.ts';

const cleanups = cleanupsAfterAll();

describe('InfluxDB is stopped for 30 s while gateways keep sending', () => {
  it('journals what arrives, drains it when InfluxDB is back, and loses nothing', {
    timeout: 180_000,
  }, async () => {
    const dir = await tempDir('influx-down');
    cleanups.push(() => dir.remove());
    let influxd: LocalInfluxd = await startLocalInfluxd(join(dir.path, 'influxdb'));
    cleanups.push(() => influxd.stop());
    const httpPort = Number(new URL(influxd.url).port);
    const fleet = generateFleet({ seed: 22, devices: 40, devicesPerGateway: 20 });
    const cloud: TestCloud = await startTestCloud(influxd.url, fleet);
    cleanups.push(() => cloud.stop());
    const secrets = new Map<string, string>();
    for (const g of fleet.gateways) secrets.set(g.id, await cloud.provision(g.id));
    const city = await streamingCity({
      log: silentLog,
      fleet,
      mqttUrl: cloud.mqttUrl,
      dataDir: join(dir.path, 'edge'),
      secrets,
    });
    cleanups.push(() => city.stop());
    const stopStream = city.stream(50);

    await waitFor('points in InfluxDB', () => cloud.cloud.counters.get('influx_points_written') > 200);
    await influxd.stop();
    const acceptedBefore = cloud.cloud.counters.get('readings_accepted');
    await new Promise((r) => setTimeout(r, 30_000));
    // The gateways were acknowledged all along: the readings waited in the cloud's journal.
    expect(cloud.cloud.counters.get('readings_accepted')).toBeGreaterThan(acceptedBefore + 1_000);
    const health = (await (await fetch(`${cloud.apiUrl}/health`)).json()) as { journal: { lines: number } };
    expect(health.journal.lines).toBeGreaterThan(1_000);
    expect(cloud.cloud.counters.get('influx_write_errors')).toBeGreaterThan(0);

    influxd = await startLocalInfluxd(join(dir.path, 'influxdb'), { httpPort });
    await stopStream();
    await city.drained();
    await cloud.cloud.flush();
    const influx = await connectInflux({
      url: influxd.url,
      token: '',
      database: cloud.influx.settings.database,
      org: '',
    });
    await expectEveryReadingStored(influx, city.readings());
  });
});
