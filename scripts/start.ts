import { z } from 'zod';
import { issueCredential } from '../cloud/broker/credentials.ts';
import { Cloud } from '../cloud/cloud.ts';
import { loadCloudConfig } from '../cloud/config.ts';
import { openInflux } from '../cloud/storage/influx-setup.ts';
import { EdgeAgent } from '../edge/agent.ts';
import { edgeConfig } from '../edge/config.ts';
import { simulatedGateway } from '../edge/simulation.ts';
import { readFleetFiles } from '../shared/fleet-files.ts';
import { createLogger } from '../shared/log.ts';

/**
 * `npm start`: the platform on its embedded defaults plus a simulated city. Starts InfluxDB (unless
 * INFLUX_URL is set), the cloud (broker, ingestion, API) and one edge agent per gateway of the fleet
 * files, each with simulated devices, and prints a summary every 10 seconds.
 */
const demoConfig = z.object({
  SIM_SPEED: z.coerce.number().positive().default(1),
  SIM_REPORTING_INTERVAL_S: z.coerce.number().positive().default(10),
  SIM_SEED: z.coerce.number().int().default(1),
  SIM_MALFORMED_RATE: z.coerce.number().min(0).max(1).default(0),
});

async function main() {
  const demo = demoConfig.parse(process.env);
  const config = loadCloudConfig();
  const log = createLogger('platform', config.LOG_LEVEL);
  const { influx, local } = await openInflux(config, log);
  const cloud = new Cloud({ config, log, influx });
  await cloud.start();

  const agents: EdgeAgent[] = [];
  for (const fleet of await readFleetFiles(config.FLEET_DIR)) {
    for (const gateway of fleet.gateways) {
      // The demo provisions its own gateways: a fresh secret on each start, only its hash on disk.
      const password = await issueCredential(config.CREDENTIALS_FILE, gateway.id);
      const edge = edgeConfig.parse({
        gatewayId: gateway.id,
        mqtt: { url: `mqtt://127.0.0.1:${cloud.mqttPort}`, password },
        fleetFile: config.FLEET_DIR,
        reportingIntervalS: demo.SIM_REPORTING_INTERVAL_S,
        simulation: { seed: demo.SIM_SEED, speed: demo.SIM_SPEED, malformedRate: demo.SIM_MALFORMED_RATE },
      });
      const devices = fleet.devices.filter((d) => d.gatewayId === gateway.id);
      const agent = new EdgeAgent({ config: edge, log, ...simulatedGateway(edge, devices, fleet.city).deps });
      await agent.start();
      agents.push(agent);
    }
  }
  log.info(
    {
      gateways: agents.length,
      api: `http://127.0.0.1:${cloud.httpPort}/api/v1/devices`,
      influx: influx.settings.url,
    },
    'simulated city running; Ctrl-C stops it',
  );

  const summary = setInterval(() => {
    const c = cloud.counters;
    log.info(
      {
        readings: c.get('readings_accepted'),
        events: c.get('events_accepted'),
        pointsWritten: c.get('influx_points_written'),
        deadLetters: c.get('dead_letters'),
        gatewaysConnected: agents.filter((a) => a.connected).length,
      },
      'city summary',
    );
  }, 10_000);

  const shutdown = async (signal: string) => {
    log.info({ signal }, 'stopping the simulated city');
    clearInterval(summary);
    await Promise.all(agents.map((a) => a.stop()));
    await cloud.stop();
    await local?.stop();
    process.exit(0);
  };
  process.once('SIGINT', shutdown);
  process.once('SIGTERM', shutdown);
}

main().catch((error: Error) => {
  console.error(`npm start failed: ${error.message}`);
  process.exit(1);
});
