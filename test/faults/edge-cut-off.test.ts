import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import type { EdgeAgent } from '../../edge/agent.ts';
import { streamingCity } from '../../scripts/streaming-city.ts';
import { generateFleet } from '../../simulators/fleet.ts';
import { cleanupsAfterAll } from '../helpers/cleanups.ts';
import { silentLog, startTestCloud } from '../helpers/cloud.ts';
import { startTestInfluxd } from '../helpers/influxd.ts';
import { expectEveryReadingStored } from '../helpers/recording.ts';
import { tempDir } from '../helpers/temp-dir.ts';
import { waitFor } from '../helpers/wait.ts';

const cleanups = cleanupsAfterAll();
// One influxd for the file: each test's cloud writes to a database of its own.
const influxd = await startTestInfluxd();
cleanups.push(() => influxd.stop());

describe('a gateway is cut off from the broker and comes back', () => {
  it('replays its backlog at a bounded rate while live readings go first, and loses nothing', {
    timeout: 120_000,
  }, async () => {
    const dir = await tempDir('cut');
    cleanups.push(() => dir.remove());
    const fleet = generateFleet({ seed: 23, devices: 40, devicesPerGateway: 20 });
    const cloud = await startTestCloud(influxd.url, fleet);
    cleanups.push(() => cloud.stop());
    const secrets = new Map<string, string>();
    for (const g of fleet.gateways) secrets.set(g.id, await cloud.provision(g.id));
    const replayPerS = 400;
    const city = await streamingCity({
      log: silentLog,
      fleet,
      mqttUrl: cloud.mqttUrl,
      dataDir: join(dir.path, 'edge'),
      secrets,
      replayPerS,
    });
    cleanups.push(() => city.stop());
    const stopStream = city.stream(40);
    const gateway = fleet.gateways[0]?.id as string;
    const agent = city.agents.get(gateway) as EdgeAgent;

    await waitFor('readings flowing', () => agent.stats.publishedReadings > 200);
    agent.cutConnection(6_000);
    await waitFor('the gateway to be offline', () => !agent.connected);
    await waitFor('the gateway to come back', () => agent.connected, 30_000);
    const backlog = agent.stats.queueDepth;
    expect(backlog).toBeGreaterThan(1_000);
    const reconnectedAt = city.simulatedNow();

    // A reading taken after the reconnect is stored while the backlog is still being replayed.
    const device = fleet.devices.find((d) => d.gatewayId === gateway && d.kind === 'streetlight')
      ?.id as string;
    // Polled without Cloud.flush(), which also rolls up: the check must not wait longer than storing takes.
    await waitFor('a live reading in InfluxDB', async () => {
      const [series] = await cloud.influx.select(
        `SELECT LAST("status") FROM /.*/ WHERE device = '${device}'`,
      );
      return Number(series?.values[0]?.[0] ?? 0) > reconnectedAt;
    });
    expect(agent.stats.queueDepth).toBeGreaterThan(backlog / 4);

    const replayStarted = Date.now();
    await stopStream();
    await city.drained();
    const replaySeconds = (Date.now() - replayStarted) / 1000;
    // Bounded: the backlog cannot have gone out much faster than replayPerS.
    expect(replaySeconds).toBeGreaterThan((backlog / replayPerS) * 0.5 - 1);
    await expectEveryReadingStored(cloud.influx, city.readings());
  });

  it('keeps its backlog on disk across an agent restart', { timeout: 120_000 }, async () => {
    const dir = await tempDir('restart');
    cleanups.push(() => dir.remove());
    const fleet = generateFleet({ seed: 24, devices: 20, devicesPerGateway: 20 });
    const cloud = await startTestCloud(influxd.url, fleet);
    cleanups.push(() => cloud.stop());
    const gateway = fleet.gateways[0]?.id as string;
    const secrets = new Map([[gateway, await cloud.provision(gateway)]]);
    const city = await streamingCity({
      log: silentLog,
      fleet,
      mqttUrl: cloud.mqttUrl,
      dataDir: join(dir.path, 'edge'),
      secrets,
    });
    cleanups.push(() => city.stop());
    const agent = city.agents.get(gateway) as EdgeAgent;
    agent.cutConnection(600_000);
    await waitFor('the gateway to be offline', () => !agent.connected);
    for (let i = 0; i < 30; i++) await city.pollAll();
    // Every reading of 20 devices in 30 polls, and the events they had meanwhile: which ones depends
    // on the simulated time of day (three hours before the wall clock), a lamp switching at dusk, say.
    expect(city.readings()).toHaveLength(600);
    expect(agent.stats.queueDepth).toBe(600 + city.events().length);
    await city.restart(gateway);
    await city.drained();
    await expectEveryReadingStored(cloud.influx, city.readings());
  });
});
