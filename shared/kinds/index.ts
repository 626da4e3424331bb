import { z } from 'zod';
import { camera } from './camera.ts';
import { streetlight } from './streetlight.ts';
import { wasteBin } from './waste-bin.ts';

/** Every device kind the platform knows. Adding a kind means adding it here and nowhere else in shared/. */
export const kinds = { streetlight, wasteBin, camera } as const;

export const deviceKind = z.enum(['streetlight', 'wasteBin', 'camera']);
export type DeviceKind = z.infer<typeof deviceKind>;

export const reading = z.discriminatedUnion('kind', [streetlight.reading, wasteBin.reading, camera.reading]);
export type Reading = z.infer<typeof reading>;

export const deviceEvent = z.discriminatedUnion('kind', [streetlight.event, wasteBin.event, camera.event]);
export type DeviceEvent = z.infer<typeof deviceEvent>;

export const deviceCommand = z.discriminatedUnion('kind', [
  streetlight.command,
  wasteBin.command,
  camera.command,
]);
export type DeviceCommand = z.infer<typeof deviceCommand>;

export type Metrics<K extends DeviceKind> = Extract<Reading, { kind: K }>['metrics'];
export type MetricValue = string | number | boolean;
