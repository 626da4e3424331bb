import type { DriverFactory } from '../../shared/driver.ts';
import { simulatedClock } from '../clock.ts';
import { createRandom } from '../random.ts';
import { type SimulationSettings, simulationSettings } from './settings.ts';
import { simulatedDrivers } from './simulated-driver.ts';

/**
 * The simulated driver (`{ "type": "simulated" }`): simulator models of the gateway's devices, the
 * simulated clock and the fault injection its settings ask for (malformed payloads, stuck sensors,
 * outages).
 */
export const simulatedDriverFactory: DriverFactory<SimulationSettings> = {
  settings: simulationSettings,
  create(sim, { gatewayId, devices, city }) {
    const random = createRandom(sim.seed).fork(gatewayId);
    const faults = random.fork('faults');
    const drivers = simulatedDrivers(devices, city, random);
    for (const deviceId of sim.stuckDevices) {
      const driver = drivers.find((d) => d.has(deviceId));
      if (!driver) throw new Error(`stuckDevices: ${deviceId} is not a device of ${gatewayId}`);
      driver.stick(deviceId);
    }
    return {
      drivers,
      clock: { now: simulatedClock({ speed: sim.speed }), speed: sim.speed },
      random: () => faults.next(),
      malformed:
        sim.malformedRate > 0
          ? () =>
              faults.chance(sim.malformedRate) ? Buffer.from(`{"v":1,"gatewayId":"${gatewayId}",`) : undefined
          : undefined,
      outages: sim.outages,
    };
  },
};
