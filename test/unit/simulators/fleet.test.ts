import { describe, expect, it } from 'vitest';
import { fleetFile } from '../../../shared/fleet.ts';
import { distanceM, offsetLocation } from '../../../shared/geo.ts';
import { DEVICES_PER_TOWN, GENT, generateFleet, townOffset } from '../../../simulators/fleet.ts';

describe('generateFleet', () => {
  it('is deterministic for a seed and differs between seeds', () => {
    const fleet = generateFleet({ seed: 1, devices: 500 });
    expect(generateFleet({ seed: 1, devices: 500 })).toEqual(fleet);
    expect(generateFleet({ seed: 2, devices: 500 })).not.toEqual(fleet);
  });

  it('passes the provisioning contract with unique, well formed ids', () => {
    const fleet = fleetFile.parse(generateFleet({ seed: 3, devices: 5_000 }));
    expect(fleet.city).toEqual(GENT);
    expect(new Set(fleet.devices.map((d) => d.id)).size).toBe(5_000);
    expect(new Set(fleet.gateways.map((g) => g.id)).size).toBe(fleet.gateways.length);
    for (const gateway of fleet.gateways)
      expect(gateway.id).toMatch(new RegExp(`^gw-${gateway.district}-\\d{2,}$`));
    const prefixes = { streetlight: 'lamp', wasteBin: 'bin', camera: 'cam', evCharger: 'evc' };
    fleet.devices.forEach((d, index) => {
      expect(d.id).toBe(`${prefixes[d.kind]}-${String(index + 1).padStart(6, '0')}`);
    });
  });

  it('mixes about 60% street lights, 25% bins, 15% cameras and 5% chargers', () => {
    const { devices } = generateFleet({ seed: 4, devices: 10_000 });
    const share = (kind: string) => devices.filter((d) => d.kind === kind).length / devices.length;
    expect(share('streetlight')).toBeCloseTo(0.6, 1);
    expect(share('wasteBin')).toBeCloseTo(0.25, 1);
    expect(share('camera')).toBeCloseTo(0.15, 1);
    expect(share('evCharger')).toBeCloseTo(0.05, 1);
  });

  it('gives each gateway its quota of devices, nearby and in its district', () => {
    const fleet = generateFleet({ seed: 5, devices: 1_234, devicesPerGateway: 100 });
    expect(fleet.gateways).toHaveLength(13);
    const gateways = new Map(fleet.gateways.map((g) => [g.id, g]));
    const owned = new Map<string, number>();
    for (const d of fleet.devices) {
      const gateway = gateways.get(d.gatewayId);
      expect(gateway?.district).toBe(d.district);
      expect(distanceM(d.location, gateway?.location ?? d.location)).toBeLessThan(401);
      expect(distanceM(d.location, GENT.location)).toBeLessThan(12_000);
      owned.set(d.gatewayId, (owned.get(d.gatewayId) ?? 0) + 1);
    }
    expect([...owned.values()]).toEqual([...Array(12).fill(100), 34]);
    expect(new Set(fleet.gateways.map((g) => g.district)).size).toBeGreaterThan(5);
  });

  it('places its fleet around another city when asked', () => {
    const city = { name: 'Leuven', timezone: 'Europe/Brussels', location: { lat: 50.8798, lon: 4.7005 } };
    const fleet = generateFleet({ seed: 6, devices: 200, city });
    expect(fleet.city).toEqual(city);
    for (const d of fleet.devices) expect(distanceM(d.location, city.location)).toBeLessThan(12_000);
  });

  it('handles the smallest and a 100,000-device fleet', () => {
    expect(fleetFile.parse(generateFleet({ seed: 7, devices: 1 })).devices).toHaveLength(1);
    const big = generateFleet({ seed: 7, devices: 100_000 });
    expect(big.devices).toHaveLength(100_000);
    expect(big.gateways).toHaveLength(2_000);
    expect(big.devices.at(-1)?.id).toMatch(/-100000$/);
    expect(fleetFile.safeParse(big).success).toBe(true);
  });

  it('spreads a fleet beyond one town over towns of the same density, the first being the smaller fleet', () => {
    const city = generateFleet({ seed: 8, devices: DEVICES_PER_TOWN });
    const region = generateFleet({ seed: 8, devices: 2 * DEVICES_PER_TOWN + 1 });
    expect(region.devices.slice(0, DEVICES_PER_TOWN)).toEqual(city.devices);
    expect(region.gateways.slice(0, city.gateways.length)).toEqual(city.gateways);
    expect(fleetFile.safeParse(region).success).toBe(true);
    const towns = [0, 1, 2].map((town) => {
      const { north, east } = townOffset(town, 3);
      return offsetLocation(GENT.location, north, east);
    });
    region.devices.forEach((d, index) => {
      const town = Math.floor(index / DEVICES_PER_TOWN);
      expect(d.district).toMatch(town === 0 ? /^[a-z]+$/ : new RegExp(`^[a-z]+-${town}$`));
      expect(distanceM(d.location, towns[town] ?? GENT.location)).toBeLessThan(12_000);
    });
    const townsOfGateway = new Map<string, Set<number>>();
    region.devices.forEach((d, index) => {
      const towns = townsOfGateway.get(d.gatewayId) ?? new Set();
      towns.add(Math.floor(index / DEVICES_PER_TOWN));
      townsOfGateway.set(d.gatewayId, towns);
    });
    for (const towns of townsOfGateway.values()) expect(towns.size).toBe(1);
    expect(region.devices.at(-1)?.district).toMatch(/-2$/);
    expect(distanceM(towns[0] ?? GENT.location, towns[1] ?? GENT.location)).toBeGreaterThan(14_000);
  });

  it('rejects impossible sizes', () => {
    expect(() => generateFleet({ seed: 1, devices: -1 })).toThrow(RangeError);
    expect(() => generateFleet({ seed: 1, devices: 10, devicesPerGateway: 0 })).toThrow(RangeError);
  });
});
