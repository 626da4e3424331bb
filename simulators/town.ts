import type { City, FleetDevice, FleetFile, FleetGateway, Location } from '../shared/fleet.ts';
import { apportion } from './apportion.ts';
import { DEVICE_RADIUS_M, KIND_SHARES, scatter } from './fleet.ts';
import { createRandom, shuffled } from './random.ts';

/** A real part of a town (a "část obce" in Czechia) and where its devices stand. */
export interface TownDistrict {
  /** The `district` of its gateways and devices, as people write it: "Stará Role". */
  name: string;
  location: Location;
  /** Its gateways stand within this many metres of `location`. */
  radius: number;
  /** Relative share of the town's devices. */
  weight: number;
  /**
   * Streets its devices are named after (`Zeyerova 3`); for a village without streets, its own name,
   * as Czech addresses there read (`Údrč 12`).
   */
  streets: readonly string[];
}

export interface TownOptions {
  seed: number;
  city: City;
  /** Short code that keeps the ids unique across a region: `gw-<code>-<district>-01`, `<code>-lamp-000001`. */
  code: string;
  districts: readonly TownDistrict[];
  devices: number;
  /** The most devices one gateway owns; a district's devices are shared evenly by as few gateways as that allows. */
  devicesPerGateway: number;
}

/** An ASCII id segment from a name: "Stará Role" gives "stara-role", "Mariánské Lázně" "marianske-lazne". */
export function slug(name: string): string {
  const ascii = name
    .normalize('NFD')
    .replace(/\p{M}/gu, '')
    .toLowerCase()
    .replace(/[^a-z0-9]+/g, '-')
    .replace(/^-|-$/g, '');
  if (ascii === '') throw new RangeError(`${JSON.stringify(name)} has no letter or digit to make an id of`);
  return ascii;
}

/**
 * A deterministic fleet of one real town: every district gets its share of the devices by weight
 * (at least one), every kind its exact fleet share (at least one, so that even a village has all of
 * them), gateways within their district's radius, devices within 400 m of their gateway (or the
 * district's radius, if smaller), each named after a street of its district.
 */
export function generateTown(options: TownOptions): FleetFile {
  const { seed, city, code, districts, devices: total, devicesPerGateway } = options;
  if (!Number.isInteger(devicesPerGateway) || devicesPerGateway < 1)
    throw new RangeError('devicesPerGateway must be an integer >= 1');
  const random = createRandom(seed);
  const kindCounts = apportion(
    total,
    KIND_SHARES.map((k) => k.weight),
    1,
  );
  const kinds = shuffled(
    random,
    KIND_SHARES.flatMap((share, i) => Array.from({ length: kindCounts[i] as number }, () => share)),
  );
  const perDistrict = apportion(
    total,
    districts.map((d) => d.weight),
    1,
  );
  const gateways: FleetGateway[] = [];
  const devices: FleetDevice[] = [];
  const numberOnStreet = new Map<string, number>();

  districts.forEach((district, d) => {
    const count = perDistrict[d] as number;
    const perGateway = apportion(count, Array(Math.ceil(count / devicesPerGateway)).fill(1));
    perGateway.forEach((owned, g) => {
      const gateway: FleetGateway = {
        id: `gw-${code}-${slug(district.name)}-${String(g + 1).padStart(2, '0')}`,
        district: district.name,
        location: scatter(random, district.location, district.radius),
      };
      gateways.push(gateway);
      for (let i = 0; i < owned; i++) {
        const { kind, prefix } = kinds[devices.length] as (typeof KIND_SHARES)[number];
        const street = random.pick(district.streets);
        const number = (numberOnStreet.get(street) ?? 0) + 1;
        numberOnStreet.set(street, number);
        devices.push({
          id: `${code}-${prefix}-${String(devices.length + 1).padStart(6, '0')}`,
          kind,
          gatewayId: gateway.id,
          district: district.name,
          location: scatter(random, gateway.location, Math.min(DEVICE_RADIUS_M, district.radius)),
          name: `${street} ${number}`,
        });
      }
    });
  });
  return { city, gateways, devices };
}
