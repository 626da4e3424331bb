import { join } from 'node:path';
import { connectAsync } from 'mqtt';
import { describe, expect, it } from 'vitest';
import { type LocalInfluxd, startLocalInfluxd } from '../../cloud/storage/local-influxd.ts';
import { gatewayTopic } from '../../shared/topics.ts';
import { generateFleet } from '../../simulators/fleet.ts';
import { cleanupsAfterAll } from '../helpers/cleanups.ts';
import { countPoints, startTestCloud } from '../helpers/cloud.ts';
import { withDevices } from '../helpers/fleet.ts';
import { tempDir } from '../helpers/temp-dir.ts';
import { waitFor } from '../helpers/wait.ts';

const cleanups = cleanupsAfterAll();

const settled = (promise: Promise<unknown>, ms: number) =>
  Promise.race([promise.then(() => true), new Promise<boolean>((r) => setTimeout(() => r(false), ms))]);

describe('the journal is full while InfluxDB is down', () => {
  it('holds back the PUBACK (backpressure) until InfluxDB takes the backlog, then acknowledges', {
    timeout: 60_000,
  }, async () => {
    const dir = await tempDir('backpressure');
    cleanups.push(() => dir.remove());
    let influxd: LocalInfluxd = await startLocalInfluxd(join(dir.path, 'influxdb'));
    cleanups.push(() => influxd.stop());
    const generated = generateFleet({ seed: 41, devices: 10, devicesPerGateway: 10 });
    const lamps = Array.from({ length: 40 }, (_, i) => `lamp-bp-${i}`);
    const fleet = withDevices(
      generated,
      lamps.map((id) => ({ id, kind: 'streetlight', gatewayId: generated.gateways[0]?.id as string })),
    );
    const cloud = await startTestCloud(influxd.url, fleet, { JOURNAL_MAX_LINES: '50' });
    cleanups.push(() => cloud.stop());
    const gateway = fleet.gateways[0]?.id as string;
    const client = await connectAsync(cloud.mqttUrl, {
      clientId: gateway,
      username: gateway,
      password: await cloud.provision(gateway),
      reconnectPeriod: 0,
    });
    cleanups.push(() => client.endAsync(true));
    const batch = (n: number) =>
      JSON.stringify({
        v: 1,
        gatewayId: gateway,
        sentAt: new Date().toISOString(),
        batchId: `b${n}`,
        readings: Array.from({ length: 40 }, (_, i) => ({
          deviceId: `lamp-bp-${i}`,
          kind: 'streetlight',
          ts: new Date(Date.now() - 60_000 + n * 1_000).toISOString(),
          metrics: { activePower: n + i / 100 },
        })),
      });
    const topic = gatewayTopic(gateway, 'telemetry');
    const port = Number(new URL(influxd.url).port);
    await influxd.stop();

    // 40 + 40 lines: the journal passes its limit of 50, so the second batch is the last one taken in.
    await client.publishAsync(topic, batch(1), { qos: 1 });
    await client.publishAsync(topic, batch(2), { qos: 1 });
    const third = client.publishAsync(topic, batch(3), { qos: 1 });
    expect(await settled(third, 1_500)).toBe(false);

    influxd = await startLocalInfluxd(join(dir.path, 'influxdb'), { httpPort: port });
    expect(await settled(third, 20_000)).toBe(true);
    await waitFor('all 120 points', async () => {
      await cloud.cloud.flush();
      return (await countPoints(cloud.influx, 'streetlight', 'activePower')) === 120;
    });
  });
});
