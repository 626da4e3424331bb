import { describe, expect, it } from 'vitest';
import { describeIssues } from '../../../../edge/config.ts';
import {
  loadRegisterMap,
  modbusDriverFactory,
  modbusSettings,
} from '../../../../edge/drivers/modbus-tcp/factory.ts';
import { registerMapFile } from '../../../../edge/drivers/modbus-tcp/register-map.ts';

const base = { model: 'm', source: 's', kind: 'streetlight' };
const voltage = { metric: 'voltage', table: 'input', address: 0, unit: 'V' };

function problems(map: object): string {
  const parsed = registerMapFile.safeParse(map);
  return parsed.success ? '' : describeIssues(parsed.error);
}

describe('the shipped register maps', () => {
  it.each(['abb-terra-ac', 'eastron-sdm630'])('%s is a valid map that names its source document', (model) => {
    const map = loadRegisterMap({ model });
    expect(map.source.length).toBeGreaterThan(20);
    expect(map.readings.length).toBeGreaterThan(3);
  });

  it('names the maps there are when a model is unknown', () => {
    expect(() => loadRegisterMap({ model: 'schneider-xyz' })).toThrow(
      'model schneider-xyz: no such register map (there are: abb-terra-ac, eastron-sdm630)',
    );
    expect(() => loadRegisterMap({ mapFile: '/nonexistent/map.json' })).toThrow(
      /mapFile \/nonexistent\/map.json: cannot read it/,
    );
  });
});

describe('a register map is checked against its kind', () => {
  it('takes a minimal map and fills in the defaults', () => {
    expect(registerMapFile.parse({ ...base, readings: [voltage] })).toEqual({
      ...base,
      wordOrder: 'high-first',
      readings: [{ ...voltage, scale: 1, offset: 0 }],
      commands: {},
    });
  });

  it.each([
    ['an unknown metric', { ...voltage, metric: 'brightness' }, 'streetlight has no metric brightness'],
    ["a unit other than the metric's", { ...voltage, unit: 'mV' }, 'voltage is in V'],
    ['a number metric without a unit', { metric: 'voltage', table: 'input', address: 0 }, 'voltage is in V'],
    ['values for a number', { ...voltage, values: { '1': 'on' } }, 'voltage is a number: no values'],
    [
      'an enumeration without values',
      { metric: 'powerState', table: 'coil', address: 0 },
      'map the raw values',
    ],
    [
      'a word not in the enumeration',
      { metric: 'powerState', table: 'coil', address: 0, values: { '1': 'lit' } },
      'lit is not one of',
    ],
    [
      'an otherwise not in the enumeration',
      { metric: 'status', table: 'holding', address: 0, values: { '0': 'ok' }, otherwise: 'bad' },
      'bad is not one of',
    ],
    [
      'a type on a coil',
      { metric: 'powerState', table: 'coil', address: 0, type: 'u16', values: { '1': 'on' } },
      'is one bit',
    ],
    ['bits of a float', { ...voltage, type: 'f32', bits: { shift: 0, width: 4 } }, 'bits of a float'],
    ['bits past the value', { ...voltage, bits: { shift: 12, width: 5 } }, 'past the 16 bits'],
    ['an address past 65535', { ...voltage, address: 65_536 }, 'readings.0.address: Too big'],
    ['a scale of 0', { ...voltage, scale: 0 }, 'a scale is a number other than 0'],
    [
      'a timestamp metric',
      { metric: 'dateLastSwitchingOn', table: 'input', address: 0, unit: 's' },
      'has no metric',
    ],
  ])('refuses %s', (_what, reading, message) => {
    expect(problems({ ...base, readings: [reading] })).toContain(message);
  });

  it('refuses a metric read twice, and an unknown field', () => {
    expect(problems({ ...base, readings: [voltage, voltage] })).toContain('voltage is read twice');
    expect(problems({ ...base, readings: [voltage], registers: [] })).toContain('Unrecognized key');
  });

  it.each([
    [
      'an action the kind does not have',
      { reboot: [{ table: 'coil', address: 0, value: 1 }] },
      'streetlight has no command reboot',
    ],
    [
      'a field the action does not have',
      { setDimming: [{ table: 'holding', address: 0, from: 'percent' }] },
      'setDimming has no field percent',
    ],
    [
      'both a field and a value',
      { setDimming: [{ table: 'holding', address: 0, from: 'level', value: 3 }] },
      'either a field',
    ],
    ['neither', { setDimming: [{ table: 'holding', address: 0 }] }, 'either a field'],
    [
      'a number to a coil',
      { setDimming: [{ table: 'coil', address: 0, from: 'level' }] },
      'level is a number: not a coil',
    ],
    [
      'a boolean to a register without its raw values',
      { switch: [{ table: 'holding', address: 0, from: 'on' }] },
      'raw values of on',
    ],
  ])('refuses a command write with %s', (_what, commands, message) => {
    expect(problems({ ...base, readings: [voltage], commands })).toContain(message);
  });

  it('refuses an enumeration field written without the raw value of each of its values', () => {
    const map = {
      ...base,
      kind: 'evCharger',
      readings: [{ metric: 'activePower', table: 'holding', address: 0, unit: 'kW' }],
      commands: {
        setAvailability: [{ table: 'holding', address: 1, from: 'availability', values: { available: 0 } }],
      },
    };
    expect(problems(map)).toContain('the raw value of availability unavailable is missing');
    map.commands.setAvailability[0] = {
      ...map.commands.setAvailability[0],
      values: { available: 0, unavailable: 1 },
    } as never;
    expect(problems(map)).toBe('');
  });
});

describe('modbus-tcp settings', () => {
  const gatewayId = 'gw-1';
  const city = { name: 'T', timezone: 'UTC', location: { lat: 0, lon: 0 } };
  const lamp = {
    id: 'lamp-1',
    kind: 'streetlight' as const,
    gatewayId,
    district: 'd',
    location: city.location,
  };
  const device = { deviceId: 'lamp-1', host: '10.0.0.5', model: 'eastron-sdm630' };
  const create = (devices: object[]) =>
    modbusDriverFactory.create(modbusSettings.parse({ devices }), { gatewayId, devices: [lamp], city });

  it('fills in the defaults', () => {
    expect(modbusSettings.parse({ devices: [device] })).toEqual({
      timeoutMs: 1_000,
      retries: 2,
      failingAfter: 3,
      devices: [{ ...device, port: 502, unitId: 1 }],
    });
  });

  it('wants exactly one of model and mapFile', () => {
    expect(modbusSettings.safeParse({ devices: [{ ...device, mapFile: 'x.json' }] }).success).toBe(false);
    expect(modbusSettings.safeParse({ devices: [{ deviceId: 'lamp-1', host: 'h' }] }).success).toBe(false);
    expect(modbusSettings.safeParse({ devices: [{ ...device, model: '../etc/passwd' }] }).success).toBe(
      false,
    );
  });

  it("refuses a device the gateway does not have, or one of another kind than its map's", () => {
    expect(() => create([{ ...device, deviceId: 'lamp-9' }])).toThrow(
      'devices[0]: lamp-9 is not a device of gw-1',
    );
    expect(() => create([{ ...device, model: 'abb-terra-ac' }])).toThrow(
      'devices[0]: lamp-1 is a streetlight; its map reads a evCharger',
    );
  });

  it('builds one driver per kind, reporting the entry as modbus-tcp', () => {
    const { drivers } = create([device]);
    expect(drivers.map((d) => [d.kind, d.deviceCount])).toEqual([['streetlight', 1]]);
    expect(drivers[0]?.health()).toEqual({ driver: 'modbus-tcp', state: 'starting', errors: 0 });
  });
});
