import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { modbusDriverFactory, modbusSettings } from '../../edge/drivers/modbus-tcp/factory.ts';
import { encodeRegisters } from '../../edge/drivers/modbus-tcp/values.ts';
import type { DeviceDriver } from '../../shared/driver.ts';
import type { FleetDevice } from '../../shared/fleet.ts';
import type { DeviceKind } from '../../shared/kinds/index.ts';
import { captureLog } from '../helpers/log-capture.ts';
import { type ModbusTestDevice, startModbusDevice } from '../helpers/modbus-device.ts';
import { tempDir } from '../helpers/temp-dir.ts';

/**
 * The modbus-tcp driver against real Modbus TCP peers on loopback ports (test/helpers/modbus-device.ts):
 * a lighting cabinet read and switched, a cabinet that stops answering and comes back, a register the
 * device does not have, and an ABB Terra AC wallbox laid out as ABB's document says.
 */
const gatewayId = 'gw-modbus-01';
const city = { name: 'Test', timezone: 'UTC', location: { lat: 50.08, lon: 14.42 } };
const fleetDevice = (id: string, kind: DeviceKind): FleetDevice => ({
  id,
  kind,
  gatewayId,
  district: 'centre',
  location: city.location,
});
const devices = [
  fleetDevice('cab-1', 'streetlight'),
  fleetDevice('cab-2', 'streetlight'),
  fleetDevice('evc-1', 'evCharger'),
];
const cabinetMap = join(import.meta.dirname, '../fixtures/modbus/test-cabinet.json');
const NOW = new Date('2026-11-22T16:00:00.000Z');

const peers: ModbusTestDevice[] = [];
const cabinetSize = { holding: 4, input: 10, coil: 2, discrete: 2 };
let dir: Awaited<ReturnType<typeof tempDir>>;

beforeAll(async () => {
  dir = await tempDir('modbus');
});

afterAll(async () => {
  for (const peer of peers) await peer.stop();
  await dir?.remove();
});

async function peer(size = cabinetSize): Promise<ModbusTestDevice> {
  const device = await startModbusDevice(size);
  peers.push(device);
  return device;
}

/** A cabinet lit at 60 %: 1234.5 W, 12345.6 kWh, 230.1 V, 5.4 A, lamp ok. */
function lightCabinet(device: ModbusTestDevice): void {
  device.set('coil', 0, [1]);
  device.set('holding', 0, [60]);
  device.set('discrete', 0, [0]);
  device.set('input', 0, encodeRegisters(1234.5, 'f32', 'high-first') as number[]);
  device.set('input', 2, encodeRegisters(123_456, 'u32', 'low-first') as number[]);
  device.set('input', 4, [2301, 540]);
}

function driverFor(entry: Record<string, unknown>, log = captureLog().log): DeviceDriver[] {
  const settings = modbusSettings.parse(entry);
  return modbusDriverFactory.create(settings, { gatewayId, devices, city, name: 'cabinets', log }).drivers;
}

const litMetrics = {
  powerState: 'on',
  dimmingLevel: 60,
  status: 'ok',
  activePower: 1234.5,
  energyConsumed: 12_345.6,
  voltage: 230.1,
  current: 5.4,
};

describe('the modbus-tcp driver reading a lighting cabinet', () => {
  it('reads every register of the map into one reading of the kind, and reports ok', async () => {
    const cabinet = await peer();
    lightCabinet(cabinet);
    const [driver] = driverFor({
      devices: [{ deviceId: 'cab-1', host: '127.0.0.1', port: cabinet.port, mapFile: cabinetMap }],
    });
    expect(driver?.kind).toBe('streetlight');
    expect(driver?.health()).toEqual({
      driver: 'modbus-tcp',
      name: 'cabinets',
      state: 'starting',
      errors: 0,
    });
    const { readings } = (await driver?.poll(NOW)) ?? { readings: [] };
    expect(readings).toEqual([
      { deviceId: 'cab-1', kind: 'streetlight', ts: NOW.toISOString(), metrics: litMetrics },
    ]);
    expect(driver?.health()).toEqual({
      driver: 'modbus-tcp',
      name: 'cabinets',
      state: 'ok',
      errors: 0,
      lastSuccess: NOW.toISOString(),
    });
    await driver?.close();
  });

  it('switches and dims through the registers of the map, and sends the state it reads back', async () => {
    const cabinet = await peer();
    lightCabinet(cabinet);
    const [driver] = driverFor({
      devices: [{ deviceId: 'cab-1', host: '127.0.0.1', port: cabinet.port, mapFile: cabinetMap }],
    });
    const dimmed = await driver?.execute('cab-1', { action: 'setDimming', level: 30 }, NOW);
    expect(dimmed).toMatchObject({
      status: 'succeeded',
      readings: [{ metrics: { dimmingLevel: 30, powerState: 'on' } }],
    });
    const off = await driver?.execute('cab-1', { action: 'switch', on: false }, NOW);
    expect(off?.readings?.[0]?.metrics).toMatchObject({ powerState: 'off' });
    expect((await driver?.execute('cab-1', { action: 'returnToSchedule' }, NOW))?.status).toBe('succeeded');
    expect(cabinet.writes).toEqual([
      { table: 'holding', address: 0, values: [30] },
      { table: 'coil', address: 0, values: [0] },
      { table: 'holding', address: 1, values: [1] },
    ]);
    expect(await driver?.execute('cab-9', { action: 'switch', on: true }, NOW)).toEqual({
      status: 'rejected',
      reason: 'unknownDevice',
    });
    await driver?.close();
  });

  it('counts a register the device does not have (exception 2), reports it, and still reads the others', async () => {
    const cabinet = await peer();
    lightCabinet(cabinet);
    const map = JSON.parse(readFileSync(cabinetMap, 'utf8'));
    map.readings.push({ metric: 'ambientLight', table: 'input', address: 40, unit: 'lx' });
    const mapFile = join(dir.path, 'cabinet-with-light-sensor.json');
    writeFileSync(mapFile, JSON.stringify(map));
    const capture = captureLog();
    const [driver] = driverFor(
      { devices: [{ deviceId: 'cab-1', host: '127.0.0.1', port: cabinet.port, mapFile }] },
      capture.log,
    );
    const { readings } = (await driver?.poll(NOW)) ?? { readings: [] };
    expect(readings[0]?.metrics).toEqual(litMetrics);
    expect(driver?.health()).toMatchObject({
      state: 'degraded',
      errors: 1,
      lastError: 'modbusException:2:40',
    });
    await driver?.poll(NOW);
    expect(driver?.health()).toMatchObject({ state: 'degraded', errors: 2 });
    // Logged once, with the device and the code, not on every poll.
    const logged = capture.entries.filter((e) => e.msg === 'Modbus device read failed');
    expect(logged).toEqual([
      expect.objectContaining({ deviceId: 'cab-1', code: 'modbusException:2:40', outcome: 'partial' }),
    ]);
    await driver?.close();
  });

  it('counts a value the kind refuses (out of its bounds) and leaves only that metric out', async () => {
    const cabinet = await peer();
    lightCabinet(cabinet);
    cabinet.set('holding', 0, [250]);
    const [driver] = driverFor({
      devices: [{ deviceId: 'cab-1', host: '127.0.0.1', port: cabinet.port, mapFile: cabinetMap }],
    });
    const { readings } = (await driver?.poll(NOW)) ?? { readings: [] };
    const { dimmingLevel: _dimming, ...rest } = litMetrics;
    expect(readings[0]?.metrics).toEqual(rest);
    expect(driver?.health()).toMatchObject({ state: 'degraded', lastError: 'invalidValue:0' });
    await driver?.close();
  });

  it('tries again after a timeout, is degraded then failing while a cabinet is silent, the other read; and recovers', async () => {
    const silent = await peer();
    const other = await peer();
    lightCabinet(silent);
    lightCabinet(other);
    const [driver] = driverFor({
      timeoutMs: 100,
      retries: 1,
      failingAfter: 3,
      devices: [
        { deviceId: 'cab-1', host: '127.0.0.1', port: silent.port, mapFile: cabinetMap },
        { deviceId: 'cab-2', host: '127.0.0.1', port: other.port, mapFile: cabinetMap },
      ],
    });
    await driver?.poll(NOW);
    silent.answering = false;
    const states: string[] = [];
    for (let poll = 0; poll < 3; poll++) {
      const before = silent.requests;
      const { readings } = (await driver?.poll(NOW)) ?? { readings: [] };
      // The first register was asked for once and once again (retries: 1); nothing after it.
      expect(silent.requests - before).toBe(2);
      expect(readings.map((r) => r.deviceId)).toEqual(['cab-2']);
      states.push(driver?.health().state as string);
    }
    // One cabinet of two failing is a degraded driver, not a failing one.
    expect(states).toEqual(['degraded', 'degraded', 'degraded']);
    expect(driver?.health()).toMatchObject({ errors: 3, lastError: 'timeout' });
    other.answering = false;
    await driver?.poll(NOW);
    await driver?.poll(NOW);
    await driver?.poll(NOW);
    expect(driver?.health().state).toBe('failing');
    silent.answering = true;
    other.answering = true;
    const { readings } = (await driver?.poll(NOW)) ?? { readings: [] };
    expect(readings.map((r) => r.deviceId)).toEqual(['cab-1', 'cab-2']);
    expect(driver?.health()).toMatchObject({ state: 'ok', errors: 9, lastSuccess: NOW.toISOString() });
    await driver?.close();
  });

  it('reports a device that refuses connections as connectionRefused', async () => {
    const gone = await peer();
    const port = gone.port;
    await gone.stop();
    peers.splice(peers.indexOf(gone), 1);
    const [driver] = driverFor({
      retries: 0,
      devices: [{ deviceId: 'cab-1', host: '127.0.0.1', port, mapFile: cabinetMap }],
    });
    expect((await driver?.poll(NOW))?.readings).toEqual([]);
    expect(driver?.health()).toMatchObject({ state: 'degraded', errors: 1, lastError: 'connectionRefused' });
    expect(await driver?.execute('cab-1', { action: 'switch', on: true }, NOW)).toEqual({
      status: 'failed',
      reason: 'driverError',
    });
    await driver?.close();
  });
});

describe('the modbus-tcp driver with the shipped ABB Terra AC map', () => {
  const wallbox = { holding: 0x4110, input: 0, coil: 0, discrete: 0 };

  it('reads the wallbox as ABB documents its registers, and writes its current limit', async () => {
    const abb = await peer(wallbox);
    const u32 = (address: number, value: number) =>
      abb.set('holding', address, encodeRegisters(value, 'u32', 'high-first') as number[]);
    u32(0x4006, 16_000); // 16 A rated
    u32(0x4008, 0); // no error
    u32(0x400c, 0x8400); // state C2 (charging), below the commanded current
    u32(0x400e, 10_000); // 10 A limit
    u32(0x401c, 6_900); // W
    u32(0x401e, 5_230); // Wh this session
    const capture = captureLog();
    const [driver] = modbusDriverFactory.create(
      modbusSettings.parse({
        devices: [{ deviceId: 'evc-1', host: '127.0.0.1', port: abb.port, model: 'abb-terra-ac' }],
      }),
      { gatewayId, devices, city, log: capture.log },
    ).drivers;
    expect(driver?.kind).toBe('evCharger');
    const { readings } = (await driver?.poll(NOW)) ?? { readings: [] };
    expect(readings[0]?.metrics).toEqual({
      ratedPower: 11.04,
      errorCode: 'NoError',
      connectorStatus: 'Charging',
      powerLimit: 6.9,
      activePower: 6.9,
      sessionEnergy: 5.23,
    });

    u32(0x400c, 0x0500);
    u32(0x4008, 0x0010);
    expect((await driver?.poll(NOW))?.readings[0]?.metrics).toMatchObject({
      connectorStatus: 'Finishing',
      errorCode: 'OtherError',
    });

    const limited = await driver?.execute('evc-1', { action: 'setPowerLimit', kW: 7 }, NOW);
    expect(limited?.status).toBe('succeeded');
    expect(abb.get('holding', 0x4100, 2)).toEqual([0, 10_145]);
    expect(await driver?.execute('evc-1', { action: 'unlockConnector' }, NOW)).toMatchObject({
      status: 'succeeded',
    });
    expect(abb.writes.map((w) => w.address)).toEqual([0x4100, 0x4103]);
    expect(
      await driver?.execute('evc-1', { action: 'setAvailability', availability: 'unavailable' }, NOW),
    ).toEqual({
      status: 'rejected',
      reason: 'unsupported',
    });
    expect(driver?.health()).toMatchObject({ state: 'ok', errors: 0 });
    await driver?.close();
  });
});
