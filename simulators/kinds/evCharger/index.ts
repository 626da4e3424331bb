import { jitter as f, type SimulatedKind } from '../simulated-kind.ts';
import { createEvCharger } from './model.ts';

export const evCharger: SimulatedKind<'evCharger'> = {
  kind: 'evCharger',
  idPrefix: 'evc',
  fleetShare: 0.05,
  createModel: createEvCharger,
  demoFault: 'groundFailure',
  // Half charging within its limit, half free; no fault, no car left long after charging.
  quietMetrics: (i) => ({
    connectorStatus: i % 2 === 0 ? 'Charging' : 'Available',
    errorCode: 'NoError',
    activePower: i % 2 === 0 ? f(i, 10, 1) : 0,
    sessionEnergy: i % 2 === 0 ? f(i, 8, 4) : 0,
    cumulativeEnergy: f(i, 18_000, 2_000),
    sessionDuration: i % 2 === 0 ? 1_800 + i * 60 : 0,
    powerLimit: 22,
    ratedPower: 22,
    temperature: f(i, 25, 5),
  }),
};
