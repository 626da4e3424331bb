import { describe, expect, it } from 'vitest';
import { city, fleetDevice, fleetFile } from '../../../shared/fleet.ts';

const location = { lat: 51.05, lon: 3.72 };

const lamp = { id: 'lamp-1', kind: 'streetlight', gatewayId: 'gw-noord-01', district: 'noord', location };
const bin = { id: 'bin-1', kind: 'wasteBin', gatewayId: 'gw-centrum-01', district: 'centrum', location };
const cam = { id: 'cam-1', kind: 'camera', gatewayId: 'gw-centrum-01', district: 'centrum', location };

function fleet() {
  return {
    city: { name: 'Gent', timezone: 'Europe/Brussels', location },
    gateways: [
      { id: 'gw-noord-01', district: 'noord', location },
      { id: 'gw-centrum-01', district: 'centrum', location },
    ],
    devices: [{ ...lamp }, { ...bin }, { ...cam, name: 'Korenmarkt' }],
  };
}

describe('fleetFile', () => {
  it('accepts a consistent fleet', () => {
    expect(fleetFile.parse(fleet())).toEqual(fleet());
  });

  it('rejects a device whose gateway is not among the gateways, pointing at that device', () => {
    const value = fleet();
    value.devices[2] = { ...cam, gatewayId: 'gw-zuid-01' };
    const result = fleetFile.safeParse(value);
    expect(result.success).toBe(false);
    expect(result.error?.issues).toHaveLength(1);
    expect(result.error?.issues[0]?.path).toEqual(['devices', 2, 'gatewayId']);
    expect(result.error?.issues[0]?.message).toContain('gw-zuid-01');
  });

  it('rejects a duplicate device id, pointing at the second occurrence', () => {
    const value = fleet();
    value.devices[1] = { ...bin, id: 'lamp-1' };
    const result = fleetFile.safeParse(value);
    expect(result.success).toBe(false);
    expect(result.error?.issues.map((i) => i.path)).toEqual([['devices', 1, 'id']]);
  });

  it('reports every broken device, not only the first', () => {
    const value = fleet();
    value.devices.push({ ...lamp, gatewayId: 'gw-x' });
    const result = fleetFile.safeParse(value);
    expect(result.error?.issues.map((i) => i.path)).toEqual([
      ['devices', 3, 'gatewayId'],
      ['devices', 3, 'id'],
    ]);
  });

  it('accepts a fleet with no devices', () => {
    expect(fleetFile.safeParse({ ...fleet(), devices: [] }).success).toBe(true);
  });

  it('rejects unknown top-level fields', () => {
    expect(fleetFile.safeParse({ ...fleet(), version: 2 }).success).toBe(false);
  });
});

describe('city', () => {
  const base = { name: 'Gent', timezone: 'Europe/Brussels', location };

  it.each(['Europe/Brussels', 'UTC', 'America/Argentina/Buenos_Aires', 'US/Eastern', 'europe/brussels'])(
    'accepts the time zone %s',
    (timezone) => {
      expect(city.safeParse({ ...base, timezone }).success).toBe(true);
    },
  );

  it.each(['Europe/Gent', 'Mars/Olympus', 'not a zone', ''])('rejects the time zone %j', (timezone) => {
    const result = city.safeParse({ ...base, timezone });
    expect(result.success).toBe(false);
    expect(result.error?.issues[0]?.path).toEqual(['timezone']);
  });

  it('rejects coordinates outside WGS 84', () => {
    expect(city.safeParse({ ...base, location: { lat: 91, lon: 0 } }).success).toBe(false);
    expect(city.safeParse({ ...base, location: { lat: 0, lon: -181 } }).success).toBe(false);
  });
});

describe('fleetDevice', () => {
  const device = { id: 'lamp-1', kind: 'streetlight', gatewayId: 'gw-1', district: 'noord', location };

  it('rejects an unknown kind, a bad district and an invalid gateway id', () => {
    expect(fleetDevice.safeParse(device).success).toBe(true);
    expect(fleetDevice.safeParse({ ...device, kind: 'drone' }).success).toBe(false);
    expect(fleetDevice.safeParse({ ...device, district: 'noord\\' }).success).toBe(false);
    expect(fleetDevice.safeParse({ ...device, gatewayId: 'GW-1' }).success).toBe(false);
  });
});
