import { readFleetFile } from '../shared/fleet-files.ts';
import { createLogger } from '../shared/log.ts';
import { EdgeAgent } from './agent.ts';
import { loadEdgeConfig } from './config.ts';
import { simulatedGateway } from './simulation.ts';

/**
 * Entry point of an edge agent: `EDGE_CONFIG=gateway.json npm run edge`, which compiles it into
 * dist/ and runs `node --lite-mode dist/edge/main.js` (see the README on the agent's memory).
 */
const log = createLogger('edge', process.env.LOG_LEVEL ?? 'info');
try {
  const config = loadEdgeConfig();
  if (!config.fleetFile) throw new Error('fleetFile: the agent needs the fleet file that lists its devices');
  const fleet = await readFleetFile(config.fleetFile);
  const devices = fleet.devices.filter((d) => d.gatewayId === config.gatewayId);
  if (devices.length === 0)
    log.warn({ gatewayId: config.gatewayId }, 'no devices for this gateway in the fleet file');
  const { deps, scheduleOutages } = simulatedGateway(config, devices, fleet.city);
  const agent = new EdgeAgent({ config, log, ...deps });
  log.info(
    { gatewayId: config.gatewayId, devices: devices.length, broker: config.mqtt.url },
    'edge agent starting',
  );
  await agent.start();
  const stopOutages = scheduleOutages(agent);
  const shutdown = async (signal: string) => {
    log.info({ signal }, 'shutting down');
    stopOutages();
    await agent.stop();
    process.exit(0);
  };
  process.once('SIGINT', shutdown);
  process.once('SIGTERM', shutdown);
} catch (error) {
  log.fatal((error as Error).message);
  process.exit(1);
}
