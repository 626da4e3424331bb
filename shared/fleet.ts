import { z } from 'zod';
import { deviceId, gatewayId, tagValue } from './ids.ts';
import { deviceKind } from './kinds/index.ts';

export const location = z
  .object({ lat: z.number().min(-90).max(90), lon: z.number().min(-180).max(180) })
  .strict()
  .meta({ description: 'WGS 84 coordinates' });
export type Location = z.infer<typeof location>;

let canonicalZones: ReadonlySet<string> | undefined;

/**
 * Whether `tz` names a time zone: one of ICU's canonical names, or another name a formatter takes
 * (an alias such as US/Eastern, UTC, any case). The list first: a formatter loads ICU's date
 * formatting, ~7 MB of RSS an edge agent whose drivers never format dates need not pay.
 */
function isTimeZone(tz: string): boolean {
  canonicalZones ??= new Set(Intl.supportedValuesOf('timeZone'));
  if (canonicalZones.has(tz)) return true;
  try {
    new Intl.DateTimeFormat('en', { timeZone: tz });
    return true;
  } catch {
    return false;
  }
}

export const city = z
  .object({
    name: z.string().min(1).max(100),
    timezone: z.string().refine(isTimeZone, 'an IANA time zone such as Europe/Brussels'),
    location,
  })
  .strict();
export type City = z.infer<typeof city>;

const district = tagValue('District of the city, used to group devices');

export const fleetDevice = z
  .object({
    id: deviceId,
    kind: deviceKind,
    gatewayId,
    district,
    location,
    name: z.string().max(200).optional(),
  })
  .strict();
export type FleetDevice = z.infer<typeof fleetDevice>;

export const fleetGateway = z
  .object({ id: gatewayId, district, location, name: z.string().max(200).optional() })
  .strict();
export type FleetGateway = z.infer<typeof fleetGateway>;

/** What is wrong across a fleet file's entries: a device of an unknown gateway, a device id listed twice. */
export function fleetIssues(fleet: {
  gateways: readonly { id: string }[];
  devices: readonly { id: string; gatewayId: string }[];
}): { path: (string | number)[]; message: string }[] {
  const issues: { path: (string | number)[]; message: string }[] = [];
  const gateways = new Set(fleet.gateways.map((g) => g.id));
  const seen = new Set<string>();
  fleet.devices.forEach((device, index) => {
    if (!gateways.has(device.gatewayId))
      issues.push({ path: ['devices', index, 'gatewayId'], message: `unknown gateway ${device.gatewayId}` });
    if (seen.has(device.id))
      issues.push({ path: ['devices', index, 'id'], message: `duplicate device ${device.id}` });
    seen.add(device.id);
  });
  return issues;
}

/** A provisioning file in provisioning/fleet/: the city, its gateways and the devices each one owns. */
export const fleetFile = z
  .object({
    city,
    gateways: z.array(fleetGateway),
    devices: z.array(fleetDevice),
  })
  .strict()
  .superRefine((fleet, ctx) => {
    for (const { path, message } of fleetIssues(fleet)) ctx.addIssue({ code: 'custom', path, message });
  });
export type FleetFile = z.infer<typeof fleetFile>;
