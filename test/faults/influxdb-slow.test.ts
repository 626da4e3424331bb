import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { connectInflux } from '../../cloud/storage/influx.ts';
import { type CloudProcess, startCloudProcess } from '../../scripts/cloud-process.ts';
import { streamingCity } from '../../scripts/streaming-city.ts';
import { generateFleet } from '../../simulators/fleet.ts';
import { createRandom } from '../../simulators/random.ts';
import { cleanupsAfterAll } from '../helpers/cleanups.ts';
import { getJson, silentLog } from '../helpers/cloud.ts';
import { cloudProcessEnv } from '../helpers/cloud-process-env.ts';
import { startTestInfluxd } from '../helpers/influxd.ts';
import { expectEveryReadingStored } from '../helpers/recording.ts';
import { startSlowProxy } from '../helpers/slow-proxy.ts';
import { tempDir } from '../helpers/temp-dir.ts';
import { waitFor } from '../helpers/wait.ts';

const cleanups = cleanupsAfterAll();

interface Health {
  status: string;
  reasons: string[];
  journal: { lines: number };
  counters: Record<string, number>;
}

describe('a slow InfluxDB (a proxy holds each answer back 2-5 s)', () => {
  it('the journal absorbs, PUBACKs continue, backpressure is reported, nothing is lost', {
    timeout: 120_000,
  }, async () => {
    const influxd = await startTestInfluxd();
    cleanups.push(() => influxd.stop());
    const target = new URL(influxd.url);
    const proxy = await startSlowProxy(
      { host: target.hostname, port: Number(target.port) },
      { min: 2_000, max: 5_000 },
      createRandom(29).next,
    );
    cleanups.push(() => proxy.stop());
    proxy.slow = false;
    const dir = await tempDir('influx-slow');
    cleanups.push(() => dir.remove());
    const fleet = generateFleet({ seed: 29, devices: 40, devicesPerGateway: 20 });
    const { env, secrets } = await cloudProcessEnv({
      dir: dir.path,
      fleet,
      influxUrl: proxy.url,
      database: 'slow',
      // Small writes, two at a time: a slow InfluxDB takes fewer lines per second than arrive.
      extra: { INFLUX_BATCH_SIZE: '200', INFLUX_WRITE_CONCURRENCY: '2', JOURNAL_MAX_LINES: '3000' },
    });
    const cloud: CloudProcess = await startCloudProcess(env);
    cleanups.push(async () => cloud.child.kill('SIGKILL'));
    const health = async () => (await getJson<Health>(`${cloud.apiUrl}/health`)).body;
    const ready = async () =>
      (await fetch(`${cloud.apiUrl}/health/ready`)).json() as Promise<{ reasons: string[] }>;
    const city = await streamingCity({
      log: silentLog,
      fleet,
      mqttUrl: `mqtt://127.0.0.1:${env.MQTT_PORT}`,
      dataDir: join(dir.path, 'edge'),
      secrets,
    });
    cleanups.push(() => city.stop());
    const stopStream = city.stream();
    await waitFor('readings flowing', async () => ((await health()).counters.readings_accepted ?? 0) > 300);

    proxy.slow = true;
    const slowFrom = await health();
    // The journal absorbs: it grows while PUBACKs go on (readings accepted keep rising) ...
    await waitFor(
      'the journal growing while readings are accepted',
      async () => {
        const now = await health();
        return (
          now.journal.lines > 1_000 &&
          (now.counters.readings_accepted ?? 0) > (slowFrom.counters.readings_accepted ?? 0) + 1_000
        );
      },
      30_000,
    );
    // ... until it holds JOURNAL_MAX_LINES: then readiness says so (backpressure, not a failure).
    const full = await waitFor(
      'readiness reporting backpressure',
      async () => {
        const { reasons } = await ready();
        return reasons.find((r) => r.startsWith('journal full'));
      },
      30_000,
    );
    expect(full).toMatch(/journal full: \d+ lines wait for InfluxDB/);
    expect(proxy.delayed).toBeGreaterThan(0);
    expect((await health()).counters.influx_write_errors ?? 0).toBe(0);

    proxy.slow = false;
    await stopStream();
    await city.drained();
    await waitFor('the journal drained', async () => (await health()).journal.lines === 0, 60_000);
    expect((await fetch(`${cloud.apiUrl}/health/ready`)).status).toBe(200);
    expect(cloud.child.exitCode).toBeNull();
    const influx = await connectInflux({ url: influxd.url, token: '', database: 'slow', org: '' });
    await expectEveryReadingStored(influx, city.readings());
  });
});
