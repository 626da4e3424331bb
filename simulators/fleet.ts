import type { City, FleetDevice, FleetFile, FleetGateway, Location } from '../shared/fleet.ts';
import { offsetLocation } from '../shared/geo.ts';
import type { DeviceKind } from '../shared/kinds/index.ts';
import { simulatedKinds } from './kinds/index.ts';
import { createRandom, type Random } from './random.ts';

export interface FleetOptions {
  seed: number;
  devices: number;
  /** Devices owned by one gateway; the last gateway takes the remainder. Default 50. */
  devicesPerGateway?: number;
  /** Default: Gent. */
  city?: City;
}

export const GENT: City = {
  name: 'Gent',
  timezone: 'Europe/Brussels',
  location: { lat: 51.0543, lon: 3.7174 },
};

interface District {
  name: string;
  /** Centre, in metres north and east of the city centre. */
  north: number;
  east: number;
  radius: number;
  /** Relative share of the gateways. */
  weight: number;
}

const DISTRICTS: District[] = [
  { name: 'centrum', north: 0, east: 0, radius: 900, weight: 3 },
  { name: 'noord', north: 2_800, east: 400, radius: 1_200, weight: 1.5 },
  { name: 'zuid', north: -2_600, east: 200, radius: 1_200, weight: 1.5 },
  { name: 'oost', north: 300, east: 2_900, radius: 1_200, weight: 1.2 },
  { name: 'west', north: 100, east: -2_700, radius: 1_200, weight: 1.2 },
  { name: 'haven', north: 5_500, east: 1_200, radius: 1_500, weight: 0.6 },
  { name: 'campus', north: -1_600, east: -1_400, radius: 700, weight: 1 },
  { name: 'rand', north: -4_500, east: 4_500, radius: 2_000, weight: 0.5 },
];

/** Each kind with the id prefix and relative share of the generated fleets (simulators/kinds/<kind>/). */
export const KIND_SHARES: readonly { kind: DeviceKind; prefix: string; weight: number }[] = Object.values(
  simulatedKinds,
).map((k) => ({ kind: k.kind, prefix: k.idPrefix, weight: k.fleetShare }));

/** Devices stand within this distance of their gateway. */
export const DEVICE_RADIUS_M = 400;

function weighted<T extends { weight: number }>(random: Random, items: readonly T[]): T {
  let remaining = random.next() * items.reduce((sum, item) => sum + item.weight, 0);
  for (const item of items) {
    remaining -= item.weight;
    if (remaining < 0) return item;
  }
  return items[items.length - 1] as T;
}

/** A uniformly distributed point within `radius` metres of `centre`. */
export function scatter(random: Random, centre: Location, radius: number): Location {
  const distance = radius * Math.sqrt(random.next());
  const angle = 2 * Math.PI * random.next();
  return offsetLocation(centre, distance * Math.cos(angle), distance * Math.sin(angle));
}

function assertCount(name: string, value: number, min: number): void {
  if (!Number.isInteger(value) || value < min) throw new RangeError(`${name} must be an integer >= ${min}`);
}

/** Devices in one town of a generated region: a larger fleet is spread over more towns, at this density. */
export const DEVICES_PER_TOWN = 100_000;

/** Distance between neighbouring towns' centres (a town's districts reach ~6 km from its centre). */
export const TOWN_SPACING_M = 15_000;

/**
 * Where the town numbered `town` stands, in metres north and east of the city centre (town 0 is the
 * city itself): a grid eastward then northward, as square as the region's town count allows.
 */
export function townOffset(town: number, towns: number): { north: number; east: number } {
  const columns = Math.ceil(Math.sqrt(towns));
  return { north: Math.floor(town / columns) * TOWN_SPACING_M, east: (town % columns) * TOWN_SPACING_M };
}

/**
 * A deterministic city fleet: gateways spread over the districts (more in the centre), each
 * owning up to `devicesPerGateway` devices within a few hundred metres, each kind by its fleet
 * share (simulators/kinds/<kind>/). Ids are `gw-<district>-NN` and `<idPrefix>-000042`.
 * Beyond `DEVICES_PER_TOWN` devices the fleet is a region: towns of the city's districts side by
 * side, each holding up to `DEVICES_PER_TOWN` devices (the first town is the city, its districts
 * named as in a smaller fleet; town k's are `<district>-k`), so a region is as dense as a city.
 */
export function generateFleet(options: FleetOptions): FleetFile {
  const { seed, devices: deviceCount, devicesPerGateway = 50, city = GENT } = options;
  assertCount('devices', deviceCount, 0);
  assertCount('devicesPerGateway', devicesPerGateway, 1);
  const random = createRandom(seed);
  const perDistrict = new Map<string, number>();
  const gateways: FleetGateway[] = [];
  const devices: FleetDevice[] = [];
  const towns = Math.max(1, Math.ceil(deviceCount / DEVICES_PER_TOWN));

  while (devices.length < deviceCount) {
    const town = Math.floor(devices.length / DEVICES_PER_TOWN);
    const centre = townOffset(town, towns);
    const district = weighted(random, DISTRICTS);
    const districtName = town === 0 ? district.name : `${district.name}-${town}`;
    const number = (perDistrict.get(districtName) ?? 0) + 1;
    perDistrict.set(districtName, number);
    const gateway: FleetGateway = {
      id: `gw-${districtName}-${String(number).padStart(2, '0')}`,
      district: districtName,
      location: scatter(
        random,
        offsetLocation(city.location, centre.north + district.north, centre.east + district.east),
        district.radius,
      ),
    };
    gateways.push(gateway);
    const owned = Math.min(
      devicesPerGateway,
      deviceCount - devices.length,
      (town + 1) * DEVICES_PER_TOWN - devices.length,
    );
    for (let i = 0; i < owned; i++) {
      const { kind, prefix } = weighted(random, KIND_SHARES);
      devices.push({
        id: `${prefix}-${String(devices.length + 1).padStart(6, '0')}`,
        kind,
        gatewayId: gateway.id,
        district: districtName,
        location: scatter(random, gateway.location, DEVICE_RADIUS_M),
      });
    }
  }
  return { city, gateways, devices };
}
