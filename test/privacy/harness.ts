import { connectAsync, type MqttClient } from 'mqtt';
import { pino } from 'pino';
import type { UplinkChannel } from '../../shared/topics.ts';
import { gatewayTopic } from '../../shared/topics.ts';
import { generateFleet } from '../../simulators/fleet.ts';
import { apiFetch, startTestCloud, type TestCloud } from '../helpers/cloud.ts';
import { startTestInfluxd } from '../helpers/influxd.ts';
import { filePlaces, findNeedles, influxPlaces, type Place, type Role, restPlaces } from './places.ts';

/**
 * One real cloud (aedes, express, SQLite in a temp DATA_DIR) writing to a real influxd, every log
 * line it writes kept in memory at the most verbose level, a gateway connected over MQTT, and an API
 * token for each role.
 */
export async function startPrivacyCity() {
  const logs: string[] = [];
  const log = pino({ level: 'trace' }, { write: (line: string) => void logs.push(line) });
  const influxd = await startTestInfluxd();
  const fleet = generateFleet({ seed: 13, devices: 8, devicesPerGateway: 8 });
  const gatewayId = fleet.gateways[0]?.id as string;
  const cameraId = fleet.devices.find((d) => d.kind === 'camera')?.id;
  if (!cameraId) throw new Error('the privacy fleet has no camera');
  const city: TestCloud = await startTestCloud(
    influxd.url,
    fleet,
    { MQTT_MESSAGES_PER_SECOND: '100000', API_REQUESTS_PER_MINUTE: '1000000' },
    undefined,
    log,
  );
  const client: MqttClient = await connectAsync(city.mqttUrl, {
    clientId: gatewayId,
    username: gatewayId,
    password: await city.provision(gatewayId),
    reconnectPeriod: 0,
  });
  const api = async (method: string, path: string, body?: unknown, token?: string) => {
    const res = await apiFetch(`${city.apiUrl}/api/v1${path}`, {
      method,
      headers: {
        'content-type': 'application/json',
        ...(token && { authorization: `Bearer ${token}` }),
      },
      body: body === undefined ? undefined : typeof body === 'string' ? body : JSON.stringify(body),
    });
    return { status: res.status, body: (await res.json().catch(() => undefined)) as Record<string, unknown> };
  };
  const tokens: Record<Role, string> = { admin: '', operator: '', viewer: '' };
  for (const role of ['viewer', 'operator', 'admin'] as const) {
    const created = await api('POST', '/tokens', { name: `privacy-${role}`, role });
    tokens[role] = String(created.body.token);
  }
  return {
    city,
    logs,
    gatewayId,
    cameraId,
    tokens,
    api,
    /** Publishes each payload at QoS 1 on the gateway's channel; resolves when the cloud acknowledged all. */
    async publish(channel: UplinkChannel, payloads: (string | Buffer)[]): Promise<void> {
      for (const payload of payloads)
        await client.publishAsync(gatewayTopic(gatewayId, channel), payload, { qos: 1 });
    },
    /** Where each needle was found: InfluxDB, the files in DATA_DIR, the logs, every REST answer for every role. */
    async search(needles: readonly string[]): Promise<string[]> {
      await city.cloud.flush();
      const found = await Promise.all([
        influxPlaces(city.influx),
        filePlaces(city.dataDir),
        restPlaces(city.apiUrl, tokens),
      ]);
      const places: Place[] = [...found.flat(), { where: 'logs', content: logs.join('') }];
      return findNeedles(needles, places);
    },
    async stop() {
      await client.endAsync(true);
      await city.stop();
      await influxd.stop();
    },
  };
}
export type PrivacyCity = Awaited<ReturnType<typeof startPrivacyCity>>;
