import { simulatedClock } from '../../shared/clock.ts';
import type { DriverFactory } from '../../shared/driver.ts';
import type { FleetDevice } from '../../shared/fleet.ts';
import { createRandom } from '../random.ts';
import { type SimulationSettings, simulationSettings } from './settings.ts';
import { simulatedDrivers } from './simulated-driver.ts';

/** The gateway's devices that `wanted` names (all of them without it); a stranger is refused. */
function simulatedDevices(wanted: string[] | undefined, devices: FleetDevice[], gatewayId: string) {
  if (!wanted) return devices;
  const byId = new Map(devices.map((d) => [d.id, d]));
  return wanted.map((id, i) => {
    const device = byId.get(id);
    if (!device) throw new Error(`devices[${i}]: ${id} is not a device of ${gatewayId}`);
    return device;
  });
}

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
    const drivers = simulatedDrivers(simulatedDevices(sim.devices, devices, gatewayId), city, random);
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
