import { randomBytes } from 'node:crypto';
import { mkdir, readFile, writeFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { z } from 'zod';
import { issueCredentials } from '../cloud/broker/credentials.ts';
import { Cloud } from '../cloud/cloud.ts';
import { type CloudConfig, loadCloudConfig } from '../cloud/config.ts';
import type { InfluxConnection } from '../cloud/storage/influx.ts';
import { openInflux } from '../cloud/storage/influx-setup.ts';
import { tenantPaths } from '../cloud/tenants/paths.ts';
import type { EdgeAgent } from '../edge/agent.ts';
import { composeAgent } from '../edge/compose.ts';
import { edgeConfig } from '../edge/config.ts';
import { DriverRegistry } from '../edge/drivers/registry.ts';
import { type Clock, simulatedClock } from '../shared/clock.ts';
import type { FleetFile } from '../shared/fleet.ts';
import { readFleetFiles } from '../shared/fleet-files.ts';
import { createConsoleLogger, type Logger } from '../shared/log.ts';
import { demoFaults } from '../simulators/demo-faults.ts';
import { simulatedDriverFactory } from '../simulators/driver/factory.ts';
import { ensureDemoAdmin } from './demo-admin.ts';
import { createSeededTenants, seededTowns } from './demo-region.ts';
import { StartedParts, StartInterrupted } from './started-parts.ts';

/**
 * `npm start`: the platform on its embedded defaults plus a simulated city. Starts InfluxDB (unless
 * INFLUX_URL is set), the cloud (broker, ingestion, API) and one edge agent per gateway of the fleet
 * files, each with simulated devices, and prints a summary every 10 seconds. Devices and cloud read
 * one simulated clock (SIM_SPEED, SIM_START). SIGINT or SIGTERM stops it at any time, also during
 * start-up: what has started is stopped, last first, influxd last.
 */
const demoConfig = z.object({
  SIM_SPEED: z.coerce.number().positive().default(1),
  SIM_START: z.iso.datetime({ offset: true }).optional(),
  SIM_REPORTING_INTERVAL_S: z.coerce.number().positive().default(10),
  SIM_SEED: z.coerce.number().int().default(1),
  SIM_MALFORMED_RATE: z.coerce.number().min(0).max(1).default(0.002),
  SIM_OUTAGE_EVERY_S: z.coerce.number().positive().optional(),
  SIM_OUTAGE_FOR_S: z.coerce.number().positive().default(30),
});
type DemoConfig = z.infer<typeof demoConfig>;

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

/** One simulated clock for the devices and the cloud: they agree on the time at any speed. */
function demoClock(demo: DemoConfig): { clock: Clock; origin: number } {
  const origin = Date.now();
  const startAt = demo.SIM_START === undefined ? undefined : new Date(demo.SIM_START);
  return { clock: simulatedClock({ speed: demo.SIM_SPEED, origin, startAt }), origin };
}

async function startCloud(
  parts: StartedParts,
  deps: { config: CloudConfig; log: Logger; influx: InfluxConnection; clock: Clock; onFatal: () => void },
): Promise<Cloud> {
  return parts.start(
    'the cloud',
    async () => {
      const cloud = new Cloud(deps);
      await cloud.start();
      return cloud;
    },
    (cloud) => () => cloud.stop(),
  );
}

/** One edge agent per gateway of the fleet files, with simulated devices on the demo's clock. */
async function startGateways(
  parts: StartedParts,
  options: {
    config: CloudConfig;
    demo: DemoConfig;
    origin: number;
    /** Each tenant's fleet files. */
    towns: { id: string; fleets: FleetFile[] }[];
    mqttPort: number;
    log: Logger;
  },
): Promise<EdgeAgent[]> {
  const { config, demo, log } = options;
  // The demo provisions its own gateways: a fresh secret on each start, only its hash on disk.
  const secrets = new Map<string, string>();
  for (const town of options.towns) {
    const issued = await issueCredentials(
      config.CREDENTIALS_FILE,
      town.fleets.flatMap((f) => f.gateways.map((g) => g.id)),
      new Date(),
      town.id,
    );
    for (const [gateway, secret] of issued) secrets.set(gateway, secret);
  }
  const fleets = options.towns.flatMap((town) => town.fleets);
  log.info({ gateways: secrets.size }, 'starting the simulated gateways');
  const registry = new DriverRegistry({ simulated: simulatedDriverFactory });
  const agents: EdgeAgent[] = [];
  for (const fleet of fleets) {
    // The demo city starts with a few problems in progress, so that alerts show at once.
    const faults = demoFaults(fleet.devices);
    for (const gateway of fleet.gateways) {
      const devices = fleet.devices.filter((d) => d.gatewayId === gateway.id);
      const edge = edgeConfig.parse({
        gatewayId: gateway.id,
        mqtt: { url: `mqtt://127.0.0.1:${options.mqttPort}`, password: secrets.get(gateway.id) },
        dataDir: join(config.DATA_DIR, 'edge'),
        reportingIntervalS: demo.SIM_REPORTING_INTERVAL_S,
        drivers: [
          {
            type: 'simulated',
            seed: demo.SIM_SEED,
            speed: demo.SIM_SPEED,
            origin: options.origin,
            startAt: demo.SIM_START,
            malformedRate: demo.SIM_MALFORMED_RATE,
            faults: faults.filter((f) => devices.some((d) => d.id === f.device)),
            outages: demo.SIM_OUTAGE_EVERY_S
              ? { everyS: demo.SIM_OUTAGE_EVERY_S, forS: demo.SIM_OUTAGE_FOR_S }
              : undefined,
          },
        ],
      });
      agents.push(composeAgent({ config: edge, devices, city: fleet.city, registry, log }));
    }
  }
  // All at once: each connects on its own (one after another, a region's gateways took a minute).
  return parts.start(
    `${agents.length} gateways`,
    async () => {
      const started = await Promise.allSettled(agents.map((agent) => agent.start()));
      const failed = started.find((result) => result.status === 'rejected');
      if (failed) {
        await Promise.all(agents.map((agent) => agent.stop().catch(() => undefined)));
        throw failed.reason;
      }
      return agents;
    },
    () => async () => {
      await Promise.all(agents.map((agent) => agent.stop()));
    },
  );
}

/** Every 10 seconds: what the cloud took in and how the gateways are doing. */
function startSummary(parts: StartedParts, cloud: Cloud, agents: EdgeAgent[], clock: Clock, log: Logger) {
  return parts.start(
    'the summary',
    async () =>
      setInterval(() => {
        const c = cloud.counters;
        log.info(
          {
            cityTime: clock.now().toISOString(),
            readings: c.get('readings_accepted'),
            events: c.get('events_accepted'),
            pointsWritten: c.get('influx_points_written'),
            deadLetters: c.get('dead_letters'),
            gatewaysConnected: agents.filter((a) => a.connected).length,
            edgeBacklog: agents.reduce((n, a) => n + a.stats.queueDepth, 0),
          },
          'city summary',
        );
      }, 10_000),
    (timer) => async () => clearInterval(timer),
  );
}

async function main() {
  const demo = demoConfig.parse(process.env);
  const loaded = loadCloudConfig();
  const log = await createConsoleLogger('platform', loaded.LOG_LEVEL);
  const parts = new StartedParts(log);
  const stop = (reason: string, code = 0) => {
    log.info({ reason }, 'stopping the simulated city');
    void parts.stop().then(() => process.exit(code));
  };
  for (const signal of ['SIGINT', 'SIGTERM'] as const)
    process.on(signal, () => {
      if (!parts.stopping) return stop(signal);
      // A second signal does not wait: the private influxd still ends with this process.
      log.warn({ signal }, 'stopping at once');
      process.exit(1);
    });
  try {
    // The demo needs an admin API token: ADMIN_TOKEN, or one kept in DATA_DIR (never logged).
    const tokenFile = join(loaded.DATA_DIR, 'admin-token');
    const config = { ...loaded, ADMIN_TOKEN: loaded.ADMIN_TOKEN ?? (await demoToken(tokenFile)) };
    // The console's first user: `admin`, its password in a file of DATA_DIR (never logged).
    const adminPasswordFile = await ensureDemoAdmin(config.DATA_DIR);
    // A region of towns when TENANTS_DIR seeds some (provisioning/tenants), otherwise the one city
    // of FLEET_DIR as the default tenant.
    const seeded = await seededTowns(config.TENANTS_DIR);
    if (seeded.length > 0 && process.env.DEFAULT_TENANT === undefined) config.DEFAULT_TENANT = false;
    const { clock, origin } = demoClock(demo);
    const { influx } = await parts.start(
      'InfluxDB',
      () => openInflux(config, log),
      ({ local, stop: stopSetUp }) =>
        async () => {
          stopSetUp();
          await local?.stop();
        },
    );
    const cloud = await startCloud(parts, {
      config,
      log,
      influx,
      clock,
      onFatal: () => stop('storage failed', 1),
    });
    await createSeededTenants(cloud, seeded, log);
    const towns = await Promise.all(
      cloud.cells.all().map(async (cell) => ({
        id: cell.id,
        fleets: await readFleetFiles(tenantPaths(config, cell.id).fleetDir),
      })),
    );
    const agents = await startGateways(parts, {
      config,
      demo,
      origin,
      towns,
      mqttPort: cloud.mqttPort,
      log,
    });
    await startSummary(parts, cloud, agents, clock, log);
    log.info(
      {
        towns: towns.map((t) => t.id),
        gateways: agents.length,
        api: `http://127.0.0.1:${cloud.httpPort}/api/v1/devices`,
        apiToken: loaded.ADMIN_TOKEN ? 'ADMIN_TOKEN' : tokenFile,
        console: `http://127.0.0.1:${cloud.httpPort}/`,
        consoleUser: `admin, password in ${adminPasswordFile}`,
        influx: influx.settings.url,
        speed: clock.speed,
        cityTime: clock.now().toISOString(),
      },
      'simulated city running; Ctrl-C stops it',
    );
  } catch (error) {
    if (error instanceof StartInterrupted) return; // the stop under way ends the process
    log.error({ err: error }, `npm start failed: ${(error as Error).message}`);
    if (!parts.stopping) stop('start-up failed', 1);
  }
}

main().catch((error: Error) => {
  console.error(`npm start failed: ${error.message}`);
  process.exit(1);
});
