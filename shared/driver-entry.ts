import { z } from 'zod';
import { driverName, driverType } from './driver-health.ts';

/** An entry of a gateway's `drivers`: a driver type, an optional name, and that type's settings. */
export const driverEntry = z.object({ type: driverType, name: driverName.optional() }).loose().meta({
  id: 'DriverEntry',
  description:
    "A driver of the gateway: its type, an optional name, and the type's settings (docs/drivers.md)",
});
export type DriverEntry = z.infer<typeof driverEntry>;
