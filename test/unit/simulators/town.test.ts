import { describe, expect, it } from 'vitest';
import { fleetFile } from '../../../shared/fleet.ts';
import { distanceM } from '../../../shared/geo.ts';
import { generateTown, slug, type TownOptions } from '../../../simulators/town.ts';

const village: TownOptions = {
  seed: 3,
  city: { name: 'Bochov', timezone: 'Europe/Prague', location: { lat: 50.151, lon: 13.0452 } },
  code: 'bochov',
  devices: 40,
  devicesPerGateway: 25,
  districts: [
    {
      name: 'Bochov',
      location: { lat: 50.151, lon: 13.0452 },
      radius: 500,
      weight: 4,
      streets: ['náměstí Míru', 'Plzeňská'],
    },
    { name: 'Údrč', location: { lat: 50.1395, lon: 13.082 }, radius: 300, weight: 0.6, streets: ['Údrč'] },
    {
      name: 'Dlouhá Lomnice',
      location: { lat: 50.13, lon: 13.02 },
      radius: 300,
      weight: 0.4,
      streets: ['Dlouhá Lomnice'],
    },
  ],
};

describe('slug', () => {
  it.each([
    ['Stará Role', 'stara-role'],
    ['Mariánské Lázně', 'marianske-lazne'],
    ['Údrč', 'udrc'],
    ['Dlouhá  Lomnice', 'dlouha-lomnice'],
    [' -Čankov- ', 'cankov'],
    ['Cheb 2', 'cheb-2'],
  ])('makes %j into %j', (name, expected) => {
    expect(slug(name)).toBe(expected);
  });

  it('refuses a name with nothing to keep', () => {
    expect(() => slug(' – ')).toThrow(RangeError);
    expect(() => slug(' – ')).toThrow('" – " has no letter or digit to make an id of');
  });
});

describe('generateTown', () => {
  it('is deterministic for a seed and differs between seeds', () => {
    expect(generateTown(village)).toEqual(generateTown(village));
    expect(generateTown({ ...village, seed: 4 })).not.toEqual(generateTown(village));
  });

  it('passes the provisioning contract, with ids carrying the town code', () => {
    const fleet = fleetFile.parse(generateTown(village));
    expect(fleet.city).toEqual(village.city);
    expect(fleet.gateways.map((g) => g.id)).toEqual([
      'gw-bochov-bochov-01',
      'gw-bochov-bochov-02',
      'gw-bochov-udrc-01',
      'gw-bochov-dlouha-lomnice-01',
    ]);
    const prefixes = { streetlight: 'lamp', wasteBin: 'bin', camera: 'cam', evCharger: 'evc' };
    fleet.devices.forEach((d, index) => {
      expect(d.id).toBe(`bochov-${prefixes[d.kind]}-${String(index + 1).padStart(6, '0')}`);
    });
  });

  it('gives each district its share, at least one device, split evenly over its gateways', () => {
    const fleet = generateTown(village);
    const count = (district: string) => fleet.devices.filter((d) => d.district === district).length;
    // 40 devices: one each, then 37 by 4 : 0.6 : 0.4 = 29.6, 4.44, 2.96
    expect([count('Bochov'), count('Údrč'), count('Dlouhá Lomnice')]).toEqual([31, 5, 4]);
    const owned = (gateway: string) => fleet.devices.filter((d) => d.gatewayId === gateway).length;
    expect(fleet.gateways.map((g) => owned(g.id))).toEqual([16, 15, 5, 4]);
  });

  it('has every kind in its exact share, even in a village', () => {
    const { devices } = generateTown(village);
    const count = (kind: string) => devices.filter((d) => d.kind === kind).length;
    expect([count('streetlight'), count('wasteBin'), count('camera'), count('evCharger')]).toEqual([
      22, 9, 6, 3,
    ]);
    const smallest = generateTown({ ...village, devices: 4, districts: village.districts.slice(0, 1) });
    expect(new Set(smallest.devices.map((d) => d.kind)).size).toBe(4);
  });

  it('mixes the kinds over the districts instead of filling the first with lamps', () => {
    const { devices } = generateTown({ ...village, devices: 400 });
    const kindsIn = (district: string) =>
      new Set(devices.filter((d) => d.district === district).map((d) => d.kind));
    expect(kindsIn('Bochov').size).toBe(4);
    expect(kindsIn('Údrč').size).toBeGreaterThan(1);
  });

  it('places gateways within their district and devices near their gateway', () => {
    const fleet = generateTown({ ...village, devices: 400 });
    const districts = new Map(village.districts.map((d) => [d.name, d]));
    const gateways = new Map(fleet.gateways.map((g) => [g.id, g]));
    for (const g of fleet.gateways) {
      const district = districts.get(g.district);
      expect(distanceM(g.location, district?.location ?? g.location)).toBeLessThan(
        (district?.radius ?? 0) + 1,
      );
    }
    for (const d of fleet.devices) {
      const gateway = gateways.get(d.gatewayId);
      expect(gateway?.district).toBe(d.district);
      const reach = Math.min(400, districts.get(d.district)?.radius ?? 0);
      expect(distanceM(d.location, gateway?.location ?? d.location)).toBeLessThan(reach + 1);
    }
  });

  it('names each device after a street of its district, numbered along the street', () => {
    const { devices } = generateTown(village);
    for (const d of devices) {
      const streets = village.districts.find((x) => x.name === d.district)?.streets ?? [];
      expect(streets.some((s) => d.name?.startsWith(`${s} `))).toBe(true);
    }
    const udrc = devices.filter((d) => d.district === 'Údrč').map((d) => d.name);
    expect(udrc).toEqual(['Údrč 1', 'Údrč 2', 'Údrč 3', 'Údrč 4', 'Údrč 5']);
    expect(new Set(devices.map((d) => d.name)).size).toBe(devices.length);
  });

  it('gives a gateway a single device if asked', () => {
    const fleet = generateTown({ ...village, devicesPerGateway: 1 });
    expect(fleet.gateways).toHaveLength(40);
    expect(fleet.gateways.at(-1)?.id).toBe('gw-bochov-dlouha-lomnice-04');
  });

  it('refuses fleets too small for every kind and district, and empty gateways', () => {
    expect(() => generateTown({ ...village, devices: 3 })).toThrow('3 cannot give 4 parts at least 1 each');
    const perGateway = 'devicesPerGateway must be an integer >= 1';
    expect(() => generateTown({ ...village, devicesPerGateway: 0 })).toThrow(perGateway);
    expect(() => generateTown({ ...village, devicesPerGateway: 1.5 })).toThrow(perGateway);
  });
});
