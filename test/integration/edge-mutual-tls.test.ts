import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { LocalInfluxd } from '../../cloud/storage/local-influxd.ts';
import { EdgeAgent } from '../../edge/agent.ts';
import { gatewayOutbox } from '../../edge/compose.ts';
import { type EdgeConfig, loadEdgeConfig } from '../../edge/config.ts';
import { simulatedDrivers } from '../../simulators/driver/simulated-driver.ts';
import { generateFleet } from '../../simulators/fleet.ts';
import { createRandom } from '../../simulators/random.ts';
import { makeCertificates } from '../helpers/certificates.ts';
import { getJson, silentLog, startTestCloud, type TestCloud } from '../helpers/cloud.ts';
import { startTestInfluxd } from '../helpers/influxd.ts';
import { provisionCli } from '../helpers/provision-cli.ts';
import { tempDir } from '../helpers/temp-dir.ts';
import { waitFor } from '../helpers/wait.ts';

/**
 * The edge agent as a gateway runs it under mutual TLS: configured from its file (mqtts:// URL in
 * EDGE_MQTT_URL, `mqtt.tls` naming the CA, its certificate and key), connecting to a cloud that
 * requires client certificates (MQTT_TLS_CA) and pins each gateway's.
 */
const fleet = generateFleet({ seed: 83, devices: 6, devicesPerGateway: 3 });
const [gatewayA, gatewayB] = fleet.gateways.map((g) => g.id) as [string, string];
let influxd: LocalInfluxd;
let cloud: TestCloud;
let dir: Awaited<ReturnType<typeof tempDir>>;
let certs: Awaited<ReturnType<typeof makeCertificates>>;
const agents: EdgeAgent[] = [];

beforeAll(async () => {
  influxd = await startTestInfluxd();
  dir = await tempDir('edge-mtls');
  certs = await makeCertificates(dir.path, [gatewayA, gatewayB]);
  cloud = await startTestCloud(influxd.url, fleet, {
    MQTTS_PORT: '0',
    MQTT_TLS_CERT: certs.server.cert,
    MQTT_TLS_KEY: certs.server.key,
    MQTT_TLS_CA: certs.ca,
  });
  await provisionCli(cloud.dataDir, ['gateway', 'cert', gatewayA, certs.client(gatewayA).cert]);
  await provisionCli(cloud.dataDir, ['gateway', 'cert', gatewayB, certs.client(gatewayB).cert]);
});

afterAll(async () => {
  await Promise.all(agents.map((a) => a.stop()));
  await cloud?.stop();
  await influxd?.stop();
  await dir?.remove();
});

/** The agent's configuration, loaded from a file as the agent loads it. */
async function gatewayConfig(
  gateway: string,
  certificate: { cert: string; key: string },
): Promise<EdgeConfig> {
  const path = join(dir.path, `${gateway}.json`);
  const tls = { caFile: certs.ca, certFile: certificate.cert, keyFile: certificate.key };
  await writeFile(
    path,
    JSON.stringify({
      gatewayId: gateway,
      mqtt: { url: 'mqtt://replaced-by-the-environment:1883', tls },
      dataDir: join(dir.path, 'data'),
      backoff: { initialMs: 50, maxMs: 200 },
      drivers: [{ type: 'simulated' }],
    }),
  );
  return loadEdgeConfig({
    EDGE_CONFIG: path,
    EDGE_MQTT_URL: `mqtts://127.0.0.1:${cloud.cloud.mqttPorts.mqtts}`,
  });
}

const latest = async (device: string) =>
  (await getJson<{ latest: Record<string, unknown> }>(`${cloud.apiUrl}/api/v1/devices/${device}`)).body
    .latest;

function agentFor(config: EdgeConfig): EdgeAgent {
  const devices = fleet.devices.filter((d) => d.gatewayId === config.gatewayId);
  const random = createRandom(5);
  const agent = new EdgeAgent({
    config,
    drivers: simulatedDrivers(devices, fleet.city, random.fork(config.gatewayId)),
    outbox: gatewayOutbox(config),
    log: silentLog,
    now: () => new Date(),
    random: () => random.next(),
  });
  agents.push(agent);
  return agent;
}

describe('an edge agent under mutual TLS', () => {
  it('connects over mqtts with its pinned certificate, and its readings are accepted', async () => {
    const agent = agentFor(await gatewayConfig(gatewayA, certs.client(gatewayA)));
    await agent.start({ poll: false });
    await agent.pollOnce();
    await agent.drained();
    for (const device of fleet.devices.filter((d) => d.gatewayId === gatewayA))
      await waitFor(
        `the latest values of ${device.id}`,
        async () => Object.keys(await latest(device.id)).length > 0,
      );
    expect(agent.stats.queueDepth).toBe(0);
  });

  it('is refused with a certificate that is not the one pinned for it, and sends nothing', async () => {
    const refusedBefore = cloud.cloud.counters.get('mqtt_auth_refused_certificate');
    // Gateway B configured with A's certificate and key: signed by the cloud's CA, but not B's.
    const agent = agentFor(await gatewayConfig(gatewayB, certs.client(gatewayA)));
    // start() resolves on the first connection, which never comes.
    void agent.start({ poll: false });
    await agent.pollOnce();
    await waitFor(
      'two refused attempts',
      () => cloud.cloud.counters.get('mqtt_auth_refused_certificate') >= refusedBefore + 2,
    );
    expect(agent.connected).toBe(false);
    expect(agent.stats.connects).toBe(0);
    // Its readings wait in its outbox; the cloud has none.
    expect(agent.stats.queueDepth).toBeGreaterThan(0);
    for (const device of fleet.devices.filter((d) => d.gatewayId === gatewayB))
      expect(await latest(device.id)).toEqual({});
  });

  it('does not start when a TLS file cannot be read, naming the field and the file', async () => {
    const missing = join(dir.path, 'no-such-key.pem');
    const config = await gatewayConfig(gatewayA, { cert: certs.client(gatewayA).cert, key: missing });
    await expect(agentFor(config).start({ poll: false })).rejects.toThrow(
      `mqtt.tls.keyFile: cannot read ${missing}: ENOENT`,
    );
  });
});
