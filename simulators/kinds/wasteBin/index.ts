import { jitter as f, type SimulatedKind } from '../simulated-kind.ts';
import { createWasteBin } from './model.ts';

const day = 86_400_000;

export const wasteBin: SimulatedKind<'wasteBin'> = {
  kind: 'wasteBin',
  idPrefix: 'bin',
  fleetShare: 0.25,
  createModel: createWasteBin,
  demoFault: 'full',
  // Emptied in the last days, below 80 % and closed.
  quietMetrics: (i, { now }) => ({
    fillingLevel: f(i, 40, 30),
    temperature: f(i, 14, 6),
    tiltAngle: f(i, 3, 2),
    lidOpen: false,
    batteryLevel: f(i, 80, 15),
    status: 'ok',
    dateLastEmptying: new Date(Math.floor(now.getTime() / day - 1 - (i % 4)) * day).toISOString(),
  }),
};
