import { jitter as f, type SimulatedKind } from '../simulated-kind.ts';
import { createStreetlight } from './model.ts';

export const streetlight: SimulatedKind<'streetlight'> = {
  kind: 'streetlight',
  idPrefix: 'lamp',
  fleetShare: 0.6,
  createModel: createStreetlight,
  demoFault: 'lampFailure',
  // Off while the sun is up and on (or dimmed) otherwise, as the day/night rules expect.
  quietMetrics: (i, { sunUp }) => ({
    powerState: sunUp ? 'off' : i % 3 === 0 ? 'low' : 'on',
    dimmingLevel: sunUp ? 0 : i % 3 === 0 ? 50 : 100,
    activePower: sunUp ? f(i, 0.5, 0.2) : f(i, 60, 20),
    energyConsumed: f(i, 12_000, 500),
    voltage: f(i, 230, 4),
    current: sunUp ? f(i, 0.003, 0.001) : f(i, 0.26, 0.08),
    powerFactor: f(i, 0.93, 0.04),
    status: 'ok',
    ambientLight: sunUp ? f(i, 9_000, 5_000) : f(i, 4, 3),
    operatingHours: f(i, 20_000, 900),
  }),
  probe: {
    metric: 'activePower',
    normal: 60,
    alarming: 6_000,
    ruleMetrics: ['activePower', 'voltage', 'current', 'dimmingLevel', 'ambientLight', 'operatingHours'],
  },
};
