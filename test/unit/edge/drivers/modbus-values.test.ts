import { describe, expect, it } from 'vitest';
import { commandWrites, metricValue, readRequest } from '../../../../edge/drivers/modbus-tcp/mapping.ts';
import { registerMapFile } from '../../../../edge/drivers/modbus-tcp/register-map.ts';
import {
  bitField,
  decodeRegisters,
  encodeRegisters,
  registerCount,
  scaled,
  unscaled,
} from '../../../../edge/drivers/modbus-tcp/values.ts';

describe('register values', () => {
  it.each([
    ['u16', [0xffff], 65_535],
    ['i16', [0xffff], -1],
    ['i16', [0x8000], -32_768],
    ['i16', [0x7fff], 32_767],
    ['u32', [0x0001, 0x0002], 65_538],
    ['u32', [0xffff, 0xfffe], 4_294_967_294],
    ['i32', [0xffff, 0xfffe], -2],
    ['f32', [0x449a, 0x5000], 1234.5],
  ] as const)('reads %s from %j, high word first', (type, words, value) => {
    expect(decodeRegisters(words, type, 'high-first')).toBe(value);
  });

  it('reads two-register values low word first when told', () => {
    expect(decodeRegisters([0x0002, 0x0001], 'u32', 'low-first')).toBe(65_538);
    expect(decodeRegisters([0x5000, 0x449a], 'f32', 'low-first')).toBe(1234.5);
    expect(decodeRegisters([0x1234], 'u16', 'low-first')).toBe(0x1234);
  });

  it('refuses the wrong number of registers', () => {
    expect(() => decodeRegisters([1], 'u32', 'high-first')).toThrow(RangeError);
    expect(() => decodeRegisters([1, 2], 'u16', 'high-first')).toThrow(RangeError);
    expect(registerCount('i16')).toBe(1);
    expect(registerCount('f32')).toBe(2);
  });

  it.each([
    ['u16', 0, [0]],
    ['u16', 65_535, [0xffff]],
    ['i16', -32_768, [0x8000]],
    ['i16', 32_767, [0x7fff]],
    ['u32', 4_294_967_295, [0xffff, 0xffff]],
    ['i32', -2_147_483_648, [0x8000, 0]],
    ['i32', 2_147_483_647, [0x7fff, 0xffff]],
    ['f32', 1234.5, [0x449a, 0x5000]],
    ['u16', 29.6, [30]],
  ] as const)('writes %s %d as %j', (type, value, words) => {
    expect(encodeRegisters(value, type, 'high-first')).toEqual(words);
  });

  it.each([
    ['u16', -1],
    ['u16', 65_536],
    ['i16', -32_769],
    ['i16', 32_768],
    ['u32', 4_294_967_296],
    ['u32', -0.6],
    ['i32', 2_147_483_648],
    ['i32', -2_147_483_649],
    ['f32', 1e39],
    ['f32', Number.NaN],
    ['u16', Number.POSITIVE_INFINITY],
  ] as const)('refuses %s %d, which does not fit', (type, value) => {
    expect(encodeRegisters(value, type, 'high-first')).toBeUndefined();
  });

  it('writes low word first when told, and reads back what it wrote', () => {
    expect(encodeRegisters(65_538, 'u32', 'low-first')).toEqual([2, 1]);
    for (const type of ['u16', 'i16', 'u32', 'i32', 'f32'] as const)
      for (const order of ['high-first', 'low-first'] as const)
        expect(
          decodeRegisters(
            encodeRegisters(-1.5e3 * (type.startsWith('u') ? -1 : 1), type, order) as number[],
            type,
            order,
          ),
        ).toBe(-1.5e3 * (type.startsWith('u') ? -1 : 1));
  });

  it('takes bit fields from the least significant bit up', () => {
    expect(bitField(0x8400, 8, 7)).toBe(4);
    expect(bitField(0x8400, 15, 1)).toBe(1);
    expect(bitField(0b1011, 0, 2)).toBe(0b11);
    expect(bitField(0b1011, 1, 3)).toBe(0b101);
    expect(bitField(0xffffffff, 31, 1)).toBe(1);
  });

  it('scales without float noise, and back', () => {
    expect(scaled(2301, 0.1, 0)).toBe(230.1);
    expect(scaled(16_000, 0.00069, 0)).toBe(11.04);
    expect(scaled(100, 2, -40)).toBe(160);
    expect(unscaled(160, 2, -40)).toBe(100);
    expect(unscaled(7, 0.00069, 0)).toBeCloseTo(10_144.93, 2);
  });
});

const map = registerMapFile.parse({
  model: 'm',
  source: 's',
  kind: 'streetlight',
  readings: [
    { metric: 'powerState', table: 'coil', address: 3, values: { '0': 'off', '1': 'on' } },
    {
      metric: 'status',
      table: 'holding',
      address: '0x10',
      bits: { shift: 4, width: 2 },
      values: { '0': 'ok' },
      otherwise: 'columnIssue',
    },
    {
      metric: 'voltage',
      table: 'input',
      address: 1,
      type: 'u32',
      wordOrder: 'low-first',
      scale: 0.1,
      unit: 'V',
    },
    { metric: 'activePower', table: 'input', address: 5, type: 'i16', scale: 2, offset: 10, unit: 'W' },
  ],
  commands: {
    switch: [{ table: 'coil', address: 3, from: 'on' }],
    setDimming: [{ table: 'holding', address: 7, type: 'u32', from: 'level', scale: 0.5, offset: 10 }],
    returnToSchedule: [
      { table: 'holding', address: 8, value: 1 },
      { table: 'coil', address: 4, value: 0 },
    ],
  },
});
const [powerState, status, voltage, activePower] = map.readings as [
  (typeof map.readings)[0],
  (typeof map.readings)[0],
  (typeof map.readings)[0],
  (typeof map.readings)[0],
];

describe('metric values of a map', () => {
  it('asks for one bit, or as many registers as the type takes', () => {
    expect(readRequest(powerState)).toEqual({ table: 'coil', address: 3, count: 1 });
    expect(readRequest(status)).toEqual({ table: 'holding', address: 16, count: 1 });
    expect(readRequest(voltage)).toEqual({ table: 'input', address: 1, count: 2 });
  });

  it('maps bits and bit fields to words, scales numbers, and leaves an unmapped raw value undefined', () => {
    expect(metricValue(powerState, [1], 'high-first')).toBe('on');
    expect(metricValue(powerState, [0], 'high-first')).toBe('off');
    expect(metricValue(status, [0x000f], 'high-first')).toBe('ok');
    expect(metricValue(status, [0x0010], 'high-first')).toBe('columnIssue');
    expect(metricValue(voltage, [2301, 0], 'high-first')).toBe(230.1);
    expect(metricValue(activePower, [0xfffb], 'high-first')).toBe(0);
    const strict = { ...powerState, values: { '1': 'on' } };
    expect(metricValue(strict, [0], 'high-first')).toBeUndefined();
  });

  it('gives the otherwise word to any raw value when a map has no values', () => {
    const fallback = { ...status, values: undefined, otherwise: 'brokenLantern' };
    expect(metricValue(fallback, [0], 'high-first')).toBe('brokenLantern');
  });

  it('reads a boolean metric as any value but 0', () => {
    const tamper = { metric: 'tamperDetected', table: 'discrete' as const, address: 0, scale: 1, offset: 0 };
    expect(metricValue(tamper, [1], 'high-first')).toBe(true);
    expect(metricValue(tamper, [0], 'high-first')).toBe(false);
  });
});

describe('command writes of a map', () => {
  it('writes a field scaled into its registers, a boolean to a coil, constants in order', () => {
    expect(commandWrites(map, { action: 'switch', on: true })).toEqual([
      { table: 'coil', address: 3, on: true },
    ]);
    expect(commandWrites(map, { action: 'switch', on: false })).toEqual([
      { table: 'coil', address: 3, on: false },
    ]);
    expect(commandWrites(map, { action: 'setDimming', level: 40 })).toEqual([
      { table: 'holding', address: 7, registers: [0, 60] },
    ]);
    expect(commandWrites(map, { action: 'returnToSchedule' })).toEqual([
      { table: 'holding', address: 8, registers: [1] },
      { table: 'coil', address: 4, on: false },
    ]);
  });

  it('says when the model has no registers for an action, or a value does not fit', () => {
    expect(commandWrites(map, { action: 'reboot' })).toBeUndefined();
    expect(commandWrites(map, { action: 'setDimming', level: -30 })).toBe('invalid');
  });

  it("writes an enumeration's raw value, a write's own word order, and refuses a value with no raw value", () => {
    const charger = registerMapFile.parse({
      model: 'm',
      source: 's',
      kind: 'evCharger',
      wordOrder: 'high-first',
      readings: [{ metric: 'activePower', table: 'holding', address: 0, unit: 'kW' }],
      commands: {
        setAvailability: [
          {
            table: 'holding',
            address: 1,
            type: 'u32',
            wordOrder: 'low-first',
            from: 'availability',
            values: { available: 1, unavailable: 2 },
          },
        ],
      },
    });
    expect(commandWrites(charger, { action: 'setAvailability', availability: 'unavailable' })).toEqual([
      { table: 'holding', address: 1, registers: [2, 0] },
    ]);
    expect(commandWrites(charger, { action: 'setAvailability', availability: 'closed' })).toBe('invalid');
  });
});
