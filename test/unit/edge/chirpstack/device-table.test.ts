import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { milesightEm310Udl } from '../../../../edge/drivers/chirpstack/codecs/milesight-em310-udl.ts';
import {
  type DeviceTable,
  loadDeviceTable,
  resolveDevices,
} from '../../../../edge/drivers/chirpstack/device-table.ts';
import type { FleetDevice } from '../../../../shared/fleet.ts';

const place = { gatewayId: 'gw-1', district: 'centrum', location: { lat: 50, lon: 14 } };
const fleet: FleetDevice[] = [
  { id: 'bin-1', kind: 'wasteBin', ...place },
  { id: 'bin-2', kind: 'wasteBin', ...place },
  { id: 'lamp-1', kind: 'streetlight', ...place },
];
const dir = mkdtempSync(join(tmpdir(), 'city-device-table-'));
writeFileSync(join(dir, 'city-bin.js'), 'function decodeUplink(input) { return { data: {} }; }');

const table = (overrides: Partial<DeviceTable> = {}): DeviceTable => ({
  models: {
    em310: {
      kind: 'wasteBin',
      codec: 'milesight-em310-udl',
      variables: { emptyDistanceMm: '1200' },
      confirmed: false,
    },
    ul2030: { kind: 'streetlight', codec: 'nas-ul20xx', variables: {}, confirmed: true },
    cityBin: { kind: 'wasteBin', codecFile: 'city-bin.js', variables: {}, confirmed: false },
  },
  devices: [
    { devEui: '24e124128c140062', deviceId: 'bin-1', model: 'em310', variables: { emptyDistanceMm: '950' } },
    { devEui: '70b3d5e75e000001', deviceId: 'lamp-1', model: 'ul2030', variables: {} },
    { devEui: '70b3d5e75e000002', deviceId: 'bin-2', model: 'cityBin', variables: {} },
  ],
  ...overrides,
});
const resolved = (t: DeviceTable) => resolveDevices(t, dir, fleet);

describe('the device-model table', () => {
  it("resolves each device's kind, codec and variables (the device's own win over its model's)", () => {
    const [bin, lamp, cityBin] = resolved(table());
    expect(bin).toEqual({
      devEui: '24e124128c140062',
      deviceId: 'bin-1',
      kind: 'wasteBin',
      model: 'em310',
      codec: { type: 'builtIn', codec: milesightEm310Udl },
      variables: { emptyDistanceMm: '950' },
      confirmed: false,
    });
    expect(lamp).toMatchObject({ kind: 'streetlight', confirmed: true, codec: { type: 'builtIn' } });
    expect(cityBin?.codec).toEqual({
      type: 'file',
      path: join(dir, 'city-bin.js'),
      source: 'function decodeUplink(input) { return { data: {} }; }',
    });
  });

  it('takes the chirpstack codec with the downlink port it needs', () => {
    const t = table({
      models: {
        profile: { kind: 'wasteBin', codec: 'chirpstack', fPort: 10, variables: {}, confirmed: false },
      },
      devices: [{ devEui: '24e124128c140062', deviceId: 'bin-1', model: 'profile', variables: {} }],
    });
    expect(resolved(t)[0]).toMatchObject({ codec: { type: 'chirpstack' }, fPort: 10 });
  });

  it.each([
    ['a model it does not have', { model: 'em500' }, 'devices[0].model: no model em500 in models'],
    [
      'a device the gateway does not own',
      { deviceId: 'bin-9' },
      'devices[0].deviceId: bin-9 is not a device of this gateway in the fleet file',
    ],
    [
      'a device of another kind than its model',
      { deviceId: 'lamp-1' },
      'devices[0]: lamp-1 is a streetlight in the fleet file, model em310 is for a wasteBin',
    ],
  ])('refuses a device with %s', (_, change, message) => {
    const t = table();
    t.devices = [{ ...(t.devices[0] as DeviceTable['devices'][number]), ...change }];
    expect(() => resolved(t)).toThrow(message);
  });

  it('refuses a DevEUI or a device listed twice', () => {
    const t = table();
    const first = t.devices[0] as DeviceTable['devices'][number];
    expect(() => resolved({ ...t, devices: [first, { ...first, deviceId: 'bin-2' }] })).toThrow(
      'devices[1].devEui: 24e124128c140062 is listed twice',
    );
    expect(() => resolved({ ...t, devices: [first, { ...first, devEui: '24e124128c140063' }] })).toThrow(
      'devices[1].deviceId: bin-1 is listed twice',
    );
  });

  it('refuses a codec it does not have and a codec file it cannot read, naming the model', () => {
    const models = (model: object) => table({ models: { em310: model as DeviceTable['models'][string] } });
    const base = { kind: 'wasteBin', variables: {}, confirmed: false };
    expect(() => resolved(models({ ...base, codec: 'tekelek' }))).toThrow(
      'models.em310.codec: no codec tekelek (known: milesight-em310-udl, nas-ul20xx, chirpstack)',
    );
    expect(() => resolved(models({ ...base, codecFile: 'missing.js' }))).toThrow(
      `models.em310.codecFile: cannot read ${join(dir, 'missing.js')}`,
    );
  });

  it('loads a table file, naming the file and the field of what is wrong', () => {
    const good = join(dir, 'devices.json');
    writeFileSync(good, JSON.stringify(table()));
    expect(loadDeviceTable(good, fleet).map((d) => d.deviceId)).toEqual(['bin-1', 'lamp-1', 'bin-2']);
    const both = join(dir, 'both.json');
    const { models } = table();
    writeFileSync(
      both,
      JSON.stringify({ ...table(), models: { ...models, em310: { ...models.em310, codecFile: 'x.js' } } }),
    );
    expect(() => loadDeviceTable(both, fleet)).toThrow(
      `deviceTable ${both}: models.em310: give either codec or codecFile`,
    );
    const noPort = join(dir, 'no-port.json');
    writeFileSync(
      noPort,
      JSON.stringify({ models: { p: { kind: 'wasteBin', codec: 'chirpstack' } }, devices: [] }),
    );
    expect(() => loadDeviceTable(noPort, fleet)).toThrow(
      'models.p.fPort: a model with the chirpstack codec needs fPort',
    );
    expect(() => loadDeviceTable(join(dir, 'none.json'), fleet)).toThrow(
      `deviceTable: cannot read ${join(dir, 'none.json')}`,
    );
    const badEui = join(dir, 'bad-eui.json');
    writeFileSync(
      badEui,
      JSON.stringify({ models: {}, devices: [{ devEui: 'x', deviceId: 'bin-1', model: 'm' }] }),
    );
    expect(() => loadDeviceTable(badEui, fleet)).toThrow('devices.0.devEui: an EUI-64: 16 hex digits');
  });
});
