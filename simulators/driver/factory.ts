import { simulatedClock } from '../../shared/clock.ts';
import type { DriverFactory } from '../../shared/driver.ts';
import { createRandom } from '../random.ts';
import { type SimulationSettings, simulationSettings } from './settings.ts';
import { simulatedDrivers } from './simulated-driver.ts';

/**
 * The simulated driver (`{ "type": "simulated" }`): simulator models of the gateway's devices, the
 * simulated clock and the fault injection its settings ask for (malformed payloads, stuck sensors,
 * problems in progress, outages).
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
    for (const { device, fault } of sim.faults) {
      const driver = drivers.find((d) => d.has(device));
      if (!driver) throw new Error(`faults: ${device} is not a device of ${gatewayId}`);
      driver.inject(device, fault);
    }
    const startAt = sim.startAt === undefined ? undefined : new Date(sim.startAt);
    return {
      drivers,
      clock: simulatedClock({ speed: sim.speed, origin: sim.origin, startAt }),
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
