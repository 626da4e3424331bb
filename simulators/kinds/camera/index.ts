import { jitter as f, type SimulatedKind } from '../simulated-kind.ts';
import { createCamera } from './model.ts';

export const camera: SimulatedKind<'camera'> = {
  kind: 'camera',
  idPrefix: 'cam',
  fleetShare: 0.15,
  createModel: createCamera,
  demoFault: 'poorLink',
  // Streaming over a good link, with a thin crowd.
  quietMetrics: (i) => ({
    streamStatus: 'online',
    peopleCount: 20 + i * 7,
    crowdDensity: f(i, 0.4, 0.3),
    occupancy: f(i, 30, 20),
    vehicleCount: 10 + i * 3,
    averageVehicleSpeed: f(i, 35, 10),
    rsrp: f(i, -90, 10),
    sinr: f(i, 15, 8),
    uplinkBitrate: f(i, 4_000, 1_500),
    latency: f(i, 20, 10),
    tamperDetected: false,
  }),
};
