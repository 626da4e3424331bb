import type { City, FleetDevice } from '../shared/fleet.ts';
import { simulatedClock } from '../simulators/clock.ts';
import { createRandom } from '../simulators/random.ts';
import type { AgentDependencies, EdgeAgent } from './agent.ts';
import type { EdgeConfig } from './config.ts';
import { simulatedDrivers } from './drivers/simulated.ts';

/**
 * Everything a gateway with simulated devices needs beside its config: drivers, the simulated
 * clock and the fault injection the config asks for (malformed payloads, stuck sensors, outages).
 */
export function simulatedGateway(config: EdgeConfig, devices: FleetDevice[], city: City) {
  const sim = config.simulation;
  const random = createRandom(sim.seed).fork(config.gatewayId);
  const faults = random.fork('faults');
  const drivers = simulatedDrivers(devices, city, random);
  for (const deviceId of sim.stuckDevices) {
    const driver = drivers.find((d) => d.has(deviceId));
    if (!driver)
      throw new Error(`simulation.stuckDevices: ${deviceId} is not a device of ${config.gatewayId}`);
    driver.stick(deviceId);
  }
  const deps: Omit<AgentDependencies, 'config' | 'log'> = {
    drivers,
    now: simulatedClock({ speed: sim.speed }),
    random: () => faults.next(),
    malformed:
      sim.malformedRate > 0
        ? () =>
            faults.chance(sim.malformedRate)
              ? Buffer.from(`{"v":1,"gatewayId":"${config.gatewayId}",`)
              : undefined
        : undefined,
  };
  /** Starts the configured outages; returns a function that stops them. */
  const scheduleOutages = (agent: EdgeAgent): (() => void) => {
    const outages = sim.outages;
    if (!outages) return () => {};
    const timer = setInterval(() => agent.cutConnection(outages.forS * 1000), outages.everyS * 1000);
    return () => clearInterval(timer);
  };
  return { deps, scheduleOutages };
}
