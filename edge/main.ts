import type { DriverFactory } from '../shared/driver.ts';
import { readFleetFile } from '../shared/fleet-files.ts';
import { createLogger } from '../shared/log.ts';
import type { UplinkFactory } from '../shared/uplink.ts';
import { composeAgent } from './compose.ts';
import { loadEdgeConfig } from './config.ts';
import { cameraAnalyticsDriverFactory } from './drivers/camera-analytics/factory.ts';
import { chirpstackDriverFactory } from './drivers/chirpstack/factory.ts';
import { modbusDriverFactory } from './drivers/modbus-tcp/factory.ts';
import { DriverRegistry } from './drivers/registry.ts';
import { mmcliUplinkFactory } from './uplink/mmcli.ts';

/**
 * The drivers built into the edge agent, by the type that names them in the configuration
 * (docs/drivers.md). A real driver is a folder of `edge/drivers/` and one line here.
 */
export const builtInDrivers: Record<string, DriverFactory> = {
  'modbus-tcp': modbusDriverFactory,
  'camera-analytics': cameraAnalyticsDriverFactory,
  chirpstack: chirpstackDriverFactory,
};

/** Where a gateway's heartbeat reads its cellular link (`uplink: { "type": ... }`, docs/coverage.md). */
export const builtInUplinks: Record<string, UplinkFactory> = { mmcli: mmcliUplinkFactory };

/**
 * Runs an edge agent: loads EDGE_CONFIG and the fleet file it names, builds the agent with the
 * built-in drivers and `extraDrivers` (the simulated gateway's entry point adds the simulated one; so
 * for uplink sources, `extraUplinks`),
 * and stops it on SIGINT or SIGTERM. Run compiled, with `node --lite-mode` (see the README on the
 * agent's memory): `npm run edge` runs `dist/scripts/simulated-gateway.js`; `dist/edge/main.js` is
 * the agent with the built-in drivers only.
 */
export async function runEdgeAgent(
  extraDrivers: Record<string, DriverFactory> = {},
  extraUplinks: Record<string, UplinkFactory> = {},
): Promise<void> {
  const log = createLogger('edge', process.env.LOG_LEVEL ?? 'info');
  try {
    const config = loadEdgeConfig();
    if (!config.fleetFile)
      throw new Error('fleetFile: the agent needs the fleet file that lists its devices');
    const fleet = await readFleetFile(config.fleetFile);
    // The agent runs in its city's time zone: local time in that zone (the simulators' day and night,
    // shared/local-time.ts) then comes from V8's, without ICU's date formatting data (~7.5 MB of RSS).
    process.env.TZ = fleet.city.timezone;
    const devices = fleet.devices.filter((d) => d.gatewayId === config.gatewayId);
    if (devices.length === 0)
      log.warn({ gatewayId: config.gatewayId }, 'no devices for this gateway in the fleet file');
    const registry = new DriverRegistry({ ...builtInDrivers, ...extraDrivers });
    const agent = composeAgent({
      config,
      devices,
      city: fleet.city,
      registry,
      uplinks: { ...builtInUplinks, ...extraUplinks },
      location: fleet.gateways.find((g) => g.id === config.gatewayId)?.location,
      log,
    });
    log.info(
      {
        gatewayId: config.gatewayId,
        devices: devices.length,
        broker: config.mqtt.url,
        timeZone: process.env.TZ,
      },
      'edge agent starting',
    );
    await agent.start();
    const shutdown = async (signal: string) => {
      log.info({ signal }, 'shutting down');
      await agent.stop();
      process.exit(0);
    };
    process.once('SIGINT', shutdown);
    process.once('SIGTERM', shutdown);
  } catch (error) {
    log.fatal((error as Error).message);
    process.exit(1);
  }
}

if (import.meta.main) await runEdgeAgent();
