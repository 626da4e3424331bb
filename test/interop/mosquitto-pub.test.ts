import { execFile } from 'node:child_process';
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { LocalInfluxd } from '../../cloud/storage/local-influxd.ts';
import { contractExample } from '../../scripts/contract-docs.ts';
import { gatewayTopic } from '../../shared/topics.ts';
import { countPoints, getJson, startTestCloud, type TestCloud } from '../helpers/cloud.ts';
import { withDevices } from '../helpers/fleet.ts';
import { startTestInfluxd } from '../helpers/influxd.ts';
import { tempDir } from '../helpers/temp-dir.ts';
import { waitFor } from '../helpers/wait.ts';

const run = promisify(execFile);

let influxd: LocalInfluxd;
let city: TestCloud;
let secret: string;
const gateway = contractExample.gatewayId;

beforeAll(async () => {
  influxd = await startTestInfluxd();
  // The third party's gateway and the devices of the example, as its fleet file would list them.
  const location = { lat: 50.55, lon: 13.75 };
  const fleet = withDevices(
    {
      city: { name: 'Bílina', timezone: 'Europe/Prague', location },
      gateways: [{ id: gateway, district: 'centrum', location }],
      devices: [],
    },
    contractExample.batch.readings.map((r) => ({ id: r.deviceId, kind: r.kind, gatewayId: gateway })),
  );
  city = await startTestCloud(influxd.url, fleet);
  secret = await city.provision(gateway);
});

afterAll(async () => {
  await city?.stop();
  await influxd?.stop();
});

function mosquittoArgs(...extra: string[]) {
  const port = new URL(city.mqttUrl).port;
  return [
    '-h',
    '127.0.0.1',
    '-p',
    port,
    '-V',
    'mqttv311',
    '-i',
    gateway,
    '-u',
    gateway,
    '-P',
    secret,
    ...extra,
  ];
}

describe('a third-party gateway using mosquitto clients, following docs/mqtt-contract.md', () => {
  it('publishes the documented example batch with mosquitto_pub, and every reading is stored', async () => {
    const now = new Date().toISOString();
    const batch = {
      ...contractExample.batch,
      sentAt: now,
      readings: contractExample.batch.readings.map((r) => ({ ...r, ts: now })),
    };
    const dir = await tempDir('interop');
    const file = join(dir.path, 'batch.json');
    await writeFile(file, JSON.stringify(batch, null, 2));
    await run(
      'mosquitto_pub',
      mosquittoArgs('-q', '1', '-t', gatewayTopic(gateway, 'telemetry'), '-f', file),
    );
    await dir.remove();

    for (const reading of batch.readings) {
      const field = Object.keys(reading.metrics)[0] as string;
      await waitFor(`${reading.deviceId} in InfluxDB`, async () => {
        await city.cloud.flush();
        return (await countPoints(city.influx, reading.kind, field)) === 1;
      });
      const device = await getJson<{ gatewayId: string; latest: Record<string, unknown> }>(
        `${city.apiUrl}/api/v1/devices/${reading.deviceId}`,
      );
      expect(device.body).toMatchObject({ gatewayId: gateway, latest: reading.metrics });
    }
  });

  it('is refused a subscription to every gateway topic by mosquitto_sub', async () => {
    const refusedBefore = city.cloud.counters.get('mqtt_subscribe_refused');
    const result = await run(
      'mosquitto_sub',
      mosquittoArgs('-t', 'city/v1/gateways/#', '-C', '1', '-W', '5'),
    ).then(
      (ok) => ({ stderr: ok.stderr }),
      (error: { stderr: string }) => ({ stderr: error.stderr }),
    );
    // mosquitto_sub reports the refused SUBACK and gives up without receiving anything.
    expect(result.stderr).toMatch(/All subscription requests were denied/);
    expect(city.cloud.counters.get('mqtt_subscribe_refused')).toBe(refusedBefore + 1);
  });
});
