import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { connectInflux } from '../../cloud/storage/influx.ts';
import type { BackoffPolicy } from '../../edge/backoff.ts';
import { type CloudProcess, startCloudProcess } from '../../scripts/cloud-process.ts';
import { streamingCity } from '../../scripts/streaming-city.ts';
import { generateFleet } from '../../simulators/fleet.ts';
import { createRandom } from '../../simulators/random.ts';
import { cleanupsAfterAll } from '../helpers/cleanups.ts';
import { getJson, silentLog } from '../helpers/cloud.ts';
import { cloudProcessEnv } from '../helpers/cloud-process-env.ts';
import { startTestInfluxd } from '../helpers/influxd.ts';
import { expectEveryReadingStored } from '../helpers/recording.ts';
import { tempDir } from '../helpers/temp-dir.ts';
import { waitFor } from '../helpers/wait.ts';

const cleanups = cleanupsAfterAll();

/** The backoff of the streaming city's agents (scripts/streaming-city.ts). */
const backoff: BackoffPolicy = { initialMs: 50, maxMs: 500 };

/**
 * The most reconnect attempts an agent following `policy` can make within `windowMs`: every delay is
 * at least half its ceiling (edge/backoff.ts: "equal jitter"), and attempt n waits the sum of the
 * first n delays, so the count is the largest n whose shortest delays still fit into the window
 * (counted from attempt 0, the shortest a backoff can be).
 */
function mostAttempts(policy: BackoffPolicy, windowMs: number): number {
  let n = 0;
  let waited = 0;
  for (;;) {
    waited += Math.min(policy.maxMs, policy.initialMs * 2 ** n) / 2;
    if (waited > windowMs) return n;
    n++;
  }
}

describe('restart storms: the cloud killed with SIGKILL five times, agents restarted, during a stream', () => {
  it('ends with produced = stored, no manual step, and gateways that back off rather than storm', {
    timeout: 300_000,
  }, async () => {
    const influxd = await startTestInfluxd();
    cleanups.push(() => influxd.stop());
    const dir = await tempDir('storm');
    cleanups.push(() => dir.remove());
    const fleet = generateFleet({ seed: 27, devices: 45, devicesPerGateway: 15 });
    const { env, secrets } = await cloudProcessEnv({
      dir: dir.path,
      fleet,
      influxUrl: influxd.url,
      database: 'storm',
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
    const random = createRandom(27);
    const gateways = [...city.agents.keys()];
    const accepted = async () =>
      (await getJson<{ counters: Record<string, number> }>(`${cloud.apiUrl}/health`)).body.counters
        .readings_accepted ?? 0;
    const reconnects = () => new Map(gateways.map((g) => [g, city.agents.get(g)?.stats.reconnects ?? 0]));

    for (let round = 0; round < 5; round++) {
      // A random moment: after a random number of readings more has been accepted by this process.
      const target = (await accepted()) + random.int(100, 900);
      await waitFor('readings flowing', async () => (await accepted()) >= target, 60_000);
      // An agent restarted at a random moment too (its outbox stays on disk): once it had a batch taken.
      const restarted = random.pick(gateways);
      const batches = city.agents.get(restarted)?.stats.publishedBatches ?? 0;
      await waitFor('a batch of the agent acknowledged', () => {
        return (city.agents.get(restarted)?.stats.publishedBatches ?? 0) > batches;
      });
      await city.restart(restarted);

      const before = reconnects();
      const killedAt = Date.now();
      cloud.child.kill('SIGKILL');
      expect(await cloud.exited).toBe('SIGKILL');
      cloud = await startCloudProcess(env);
      await waitFor('every gateway back', () => [...city.agents.values()].every((a) => a.connected), 60_000);
      // Gateways back off: no gateway tried more often than its backoff allows in the outage.
      const bound = mostAttempts(backoff, Date.now() - killedAt);
      for (const [gateway, count] of reconnects()) {
        const attempts = count - (before.get(gateway) ?? 0);
        expect(attempts, `${gateway} reconnected ${attempts} times`).toBeGreaterThan(0);
        expect(attempts, `${gateway} reconnected ${attempts} times`).toBeLessThanOrEqual(bound);
      }
    }
    await waitFor('readings flowing after the last restart', async () => (await accepted()) > 200);
    await stopStream();
    await city.drained();

    const influx = await connectInflux({ url: influxd.url, token: '', database: 'storm', org: '' });
    const readings = city.readings();
    expect(readings.length).toBeGreaterThan(2_000);
    await expectEveryReadingStored(influx, readings);
  });
});
