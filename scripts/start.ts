import { randomBytes } from 'node:crypto';
import { mkdir, readFile, writeFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { z } from 'zod';
import { issueCredentials } from '../cloud/broker/credentials.ts';
import { Cloud } from '../cloud/cloud.ts';
import { loadCloudConfig } from '../cloud/config.ts';
import { openInflux } from '../cloud/storage/influx-setup.ts';
import type { EdgeAgent } from '../edge/agent.ts';
import { composeAgent } from '../edge/compose.ts';
import { edgeConfig } from '../edge/config.ts';
import { DriverRegistry } from '../edge/drivers/registry.ts';
import { readFleetFiles } from '../shared/fleet-files.ts';
import { createLogger } from '../shared/log.ts';
import { simulatedDriverFactory } from '../simulators/driver/factory.ts';
import { ensureDemoAdmin } from './demo-admin.ts';

/**
 * `npm start`: the platform on its embedded defaults plus a simulated city. Starts InfluxDB (unless
 * INFLUX_URL is set), the cloud (broker, ingestion, API) and one edge agent per gateway of the fleet
 * files, each with simulated devices, and prints a summary every 10 seconds.
 */
const demoConfig = z.object({
  SIM_SPEED: z.coerce.number().positive().default(1),
  SIM_REPORTING_INTERVAL_S: z.coerce.number().positive().default(10),
  SIM_SEED: z.coerce.number().int().default(1),
  SIM_MALFORMED_RATE: z.coerce.number().min(0).max(1).default(0.002),
  SIM_OUTAGE_EVERY_S: z.coerce.number().positive().optional(),
  SIM_OUTAGE_FOR_S: z.coerce.number().positive().default(30),
});

/** The demo's admin token: read from `path`, or created there (readable by the owner only). */
async function demoToken(path: string): Promise<string> {
  try {
    return (await readFile(path, 'utf8')).trim();
  } catch {
    const token = `cst_${randomBytes(24).toString('base64url')}`;
    await mkdir(dirname(path), { recursive: true });
    await writeFile(path, `${token}\n`, { mode: 0o600 });
    return token;
  }
}

async function main() {
  const demo = demoConfig.parse(process.env);
  const loaded = loadCloudConfig();
  const log = createLogger('platform', loaded.LOG_LEVEL);
  // The demo needs an admin API token: ADMIN_TOKEN, or one kept in DATA_DIR (never logged).
  const tokenFile = join(loaded.DATA_DIR, 'admin-token');
  const config = { ...loaded, ADMIN_TOKEN: loaded.ADMIN_TOKEN ?? (await demoToken(tokenFile)) };
  const adminPasswordFile = await ensureDemoAdmin(config.DATA_DIR);
  const { influx, local } = await openInflux(config, log);
  const agents: EdgeAgent[] = [];
  let summary: NodeJS.Timeout | undefined;
  const shutdown = async (reason: string, code = 0) => {
    log.info({ reason }, 'stopping the simulated city');
    clearInterval(summary);
    await Promise.all(agents.map((a) => a.stop()));
    await cloud.stop();
    await local?.stop();
    process.exit(code);
  };
  const cloud: Cloud = new Cloud({ config, log, influx, onFatal: () => void shutdown('storage failed', 1) });
  await cloud.start();

  const fleets = await readFleetFiles(config.FLEET_DIR);
  // The demo provisions its own gateways: a fresh secret on each start, only its hash on disk.
  const secrets = await issueCredentials(
    config.CREDENTIALS_FILE,
    fleets.flatMap((f) => f.gateways.map((g) => g.id)),
  );
  log.info({ gateways: secrets.size }, 'starting the simulated gateways');
  const registry = new DriverRegistry({ simulated: simulatedDriverFactory });
  for (const fleet of fleets) {
    for (const gateway of fleet.gateways) {
      const edge = edgeConfig.parse({
        gatewayId: gateway.id,
        mqtt: { url: `mqtt://127.0.0.1:${cloud.mqttPort}`, password: secrets.get(gateway.id) },
        dataDir: join(config.DATA_DIR, 'edge'),
        reportingIntervalS: demo.SIM_REPORTING_INTERVAL_S,
        drivers: [
          {
            type: 'simulated',
            seed: demo.SIM_SEED,
            speed: demo.SIM_SPEED,
            malformedRate: demo.SIM_MALFORMED_RATE,
            outages: demo.SIM_OUTAGE_EVERY_S
              ? { everyS: demo.SIM_OUTAGE_EVERY_S, forS: demo.SIM_OUTAGE_FOR_S }
              : undefined,
          },
        ],
      });
      const devices = fleet.devices.filter((d) => d.gatewayId === gateway.id);
      const agent = composeAgent({ config: edge, devices, city: fleet.city, registry, log });
      await agent.start();
      agents.push(agent);
    }
  }
  log.info(
    {
      gateways: agents.length,
      api: `http://127.0.0.1:${cloud.httpPort}/api/v1/devices`,
      apiToken: loaded.ADMIN_TOKEN ? 'ADMIN_TOKEN' : tokenFile,
      consoleUser: `admin, password in ${adminPasswordFile}`,
      influx: influx.settings.url,
    },
    'simulated city running; Ctrl-C stops it',
  );

  summary = setInterval(() => {
    const c = cloud.counters;
    log.info(
      {
        readings: c.get('readings_accepted'),
        events: c.get('events_accepted'),
        pointsWritten: c.get('influx_points_written'),
        deadLetters: c.get('dead_letters'),
        gatewaysConnected: agents.filter((a) => a.connected).length,
        edgeBacklog: agents.reduce((n, a) => n + a.stats.queueDepth, 0),
      },
      'city summary',
    );
  }, 10_000);

  process.once('SIGINT', (signal) => void shutdown(signal));
  process.once('SIGTERM', (signal) => void shutdown(signal));
}

main().catch((error: Error) => {
  console.error(`npm start failed: ${error.message}`);
  process.exit(1);
});
