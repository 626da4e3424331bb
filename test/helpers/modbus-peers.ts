import { encodeRegisters } from '../../edge/drivers/modbus-tcp/values.ts';
import { type ModbusTestDevice, startModbusDevice } from './modbus-device.ts';

/**
 * A street-light cabinet's Eastron SDM630 meter on Modbus TCP, as the tests and the edge bench read
 * it: 231.5 V, 4.25 A, 2,940 W, 18,250.5 kWh (floats, high word first, in its input registers).
 */
export async function startCabinetMeter(): Promise<ModbusTestDevice> {
  const cabinet = await startModbusDevice({ holding: 0, input: 0x50, coil: 0, discrete: 0 });
  for (const [address, value] of [
    [0x2a, 231.5],
    [0x2e, 4.25],
    [0x34, 2_940],
    [0x48, 18_250.5],
  ] as const)
    cabinet.set('input', address, encodeRegisters(value, 'f32', 'high-first') as number[]);
  return cabinet;
}

/**
 * An ABB Terra AC wallbox on Modbus TCP, charging: its holding registers hold 32 A, state 0x0400,
 * 16 A offered, 10.8 kW and 6.4 kWh this session (unsigned 32-bit, high word first).
 */
export async function startWallbox(): Promise<ModbusTestDevice> {
  const wallbox = await startModbusDevice({ holding: 0x4110, input: 0, coil: 0, discrete: 0 });
  for (const [address, value] of [
    [0x4006, 32_000],
    [0x400c, 0x0400],
    [0x400e, 16_000],
    [0x401c, 10_800],
    [0x401e, 6_400],
  ] as const)
    wallbox.set('holding', address, encodeRegisters(value, 'u32', 'high-first') as number[]);
  return wallbox;
}
