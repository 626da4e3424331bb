import { describe, expect, it } from 'vitest';
import { type ModbusConnection, ModbusRequestError } from '../../../../edge/drivers/modbus-tcp/connection.ts';
import { ModbusDevice } from '../../../../edge/drivers/modbus-tcp/device.ts';
import type { ReadRequest } from '../../../../edge/drivers/modbus-tcp/mapping.ts';
import { registerMapFile } from '../../../../edge/drivers/modbus-tcp/register-map.ts';

const NOW = new Date('2026-11-22T16:00:00.000Z');
const map = registerMapFile.parse({
  model: 'm',
  source: 's',
  kind: 'streetlight',
  readings: [
    { metric: 'voltage', table: 'input', address: 0, type: 'u32', scale: 0.1, unit: 'V' },
    { metric: 'dimmingLevel', table: 'holding', address: 5, unit: '%' },
  ],
});

/** A connection that answers each read as `answer` says. */
function connection(answer: (request: ReadRequest) => number[] | Error): ModbusConnection {
  return {
    read: async (request: ReadRequest) => {
      const result = answer(request);
      if (result instanceof Error) throw result;
      return result;
    },
    write: async () => {},
    close: () => {},
  } as unknown as ModbusConnection;
}

describe('ModbusDevice', () => {
  it('takes an answer shorter than asked as no value for that register, and reads the rest', async () => {
    const device = new ModbusDevice(
      'lamp-1',
      map,
      connection((r) => (r.address === 0 ? [2301] : [40])),
    );
    expect(await device.read(NOW)).toEqual({
      reading: {
        deviceId: 'lamp-1',
        kind: 'streetlight',
        ts: NOW.toISOString(),
        metrics: { dimmingLevel: 40 },
      },
      outcome: 'partial',
      code: 'invalidValue:0',
    });
  });

  it('gives no reading, failed, when no register gave a value', async () => {
    const device = new ModbusDevice(
      'lamp-1',
      map,
      connection(() => new ModbusRequestError('modbusException', 'x', 2)),
    );
    expect(await device.read(NOW)).toEqual({ outcome: 'failed', code: 'modbusException:2:5' });
  });

  it('stops at the first register a silent device does not answer', async () => {
    const asked: number[] = [];
    const device = new ModbusDevice(
      'lamp-1',
      map,
      connection((r) => {
        asked.push(r.address);
        return new ModbusRequestError('timeout', 'no answer');
      }),
    );
    expect(await device.read(NOW)).toEqual({ outcome: 'failed', code: 'timeout' });
    expect(asked).toEqual([0]);
  });
});
