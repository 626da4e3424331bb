import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { issueCredentials } from '../../cloud/broker/credentials.ts';
import { freePort } from '../../cloud/storage/local-influxd.ts';
import type { FleetFile } from '../../shared/fleet.ts';

/**
 * What a cloud started as its own process (`startCloudProcess`) needs under `dir`: the fleet file,
 * free loopback ports, its data folder and its gateways' secrets. `extra` adds or overrides
 * variables (LOG_LEVEL, say).
 */
export async function cloudProcessEnv(options: {
  dir: string;
  fleet: FleetFile;
  influxUrl: string;
  database: string;
  /** The gateways given secrets (default: every gateway of the fleet). */
  gateways?: string[];
  extra?: Record<string, string>;
}) {
  const { dir, fleet } = options;
  await mkdir(join(dir, 'fleet'));
  await writeFile(join(dir, 'fleet', 'fleet.json'), JSON.stringify(fleet));
  const env = {
    MQTT_PORT: String(await freePort()),
    MQTT_HOST: '127.0.0.1',
    HTTP_PORT: String(await freePort()),
    HTTP_HOST: '127.0.0.1',
    DATA_DIR: join(dir, 'cloud'),
    FLEET_DIR: join(dir, 'fleet'),
    INFLUX_URL: options.influxUrl,
    INFLUX_DATABASE: options.database,
    ...options.extra,
  };
  const secrets = await issueCredentials(
    join(dir, 'cloud', 'gateway-credentials.json'),
    options.gateways ?? fleet.gateways.map((g) => g.id),
  );
  return { env, secrets, mqttUrl: `mqtt://127.0.0.1:${env.MQTT_PORT}` };
}
