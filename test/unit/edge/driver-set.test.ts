import { pino } from 'pino';
import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import { EdgeConfigError } from '../../../edge/config.ts';
import { DriverSet } from '../../../edge/driver-set.ts';
import { DriverRegistry } from '../../../edge/drivers/registry.ts';
import type { DeviceDriver, DriverFactory } from '../../../shared/driver.ts';
import type { DriverEntry } from '../../../shared/driver-entry.ts';
import { GATEWAY } from '../fixtures.ts';

const log = pino({ level: 'silent' });

/** Drivers of type `counter` that remember how they were built and whether they were closed. */
function counters() {
  const built: { every: number; name?: string; closed: boolean }[] = [];
  const factory: DriverFactory<{ every: number }> = {
    settings: z.object({ every: z.int().min(1) }).strict(),
    create({ every }, { name }) {
      const record = { every, name, closed: false };
      built.push(record);
      const driver: DeviceDriver = {
        kind: 'streetlight',
        deviceCount: every,
        has: () => false,
        poll: async () => ({ readings: [], events: [] }),
        execute: async () => ({ status: 'succeeded' }),
        health: () => ({ driver: 'counter', state: 'ok', errors: every }),
        close: async () => {
          record.closed = true;
        },
      };
      return { drivers: [driver] };
    },
  };
  const registry = new DriverRegistry({ counter: factory });
  const options = {
    registry,
    context: {
      gatewayId: GATEWAY,
      devices: [],
      city: { name: 'Test', timezone: 'UTC', location: { lat: 50, lon: 14 } },
    },
    deadlineMs: 1_000,
    log,
  };
  return { built, options };
}

const entry = (every: number, name?: string): DriverEntry => ({
  type: 'counter',
  every,
  ...(name ? { name } : {}),
});

function refusal(run: () => unknown): EdgeConfigError {
  try {
    run();
  } catch (error) {
    expect(error).toBeInstanceOf(EdgeConfigError);
    return error as EdgeConfigError;
  }
  throw new Error('expected an EdgeConfigError');
}

describe('DriverSet', () => {
  it('builds one slot per entry and reports one health per entry, named as the entry is', () => {
    const { built, options } = counters();
    const set = DriverSet.fromEntries([entry(1), entry(2, 'north')], options);
    expect(built.map((b) => b.name)).toEqual([undefined, 'north']);
    expect(set.deviceCount).toBe(3);
    expect(set.health()).toEqual([
      { driver: 'counter', state: 'ok', errors: 1 },
      { driver: 'counter', name: 'north', state: 'ok', errors: 2 },
    ]);
  });

  it('keeps the drivers of unchanged entries, builds changed and new ones, closes those gone', async () => {
    const { built, options } = counters();
    const set = DriverSet.fromEntries([entry(1), entry(2), entry(3)], options);
    const [one] = set.drivers;
    await set.replace([entry(4), entry(1), entry(2, 'renamed')]);
    expect(set.drivers[1]).toBe(one);
    expect(built.map((b) => [b.every, b.name, b.closed])).toEqual([
      [1, undefined, false],
      [2, undefined, true],
      [3, undefined, true],
      [4, undefined, false],
      [2, 'renamed', false],
    ]);
    expect(set.health().map((h) => [h.errors, h.name])).toEqual([
      [4, undefined],
      [1, undefined],
      [2, 'renamed'],
    ]);
  });

  it('keeps two equal entries as two slots', async () => {
    const { built, options } = counters();
    const set = DriverSet.fromEntries([entry(1), entry(1)], options);
    await set.replace([entry(1), entry(1), entry(1)]);
    expect(built).toHaveLength(3);
    expect(set.drivers).toHaveLength(3);
  });

  it('changes nothing when an entry is refused, naming the fields at fault', async () => {
    const { built, options } = counters();
    const set = DriverSet.fromEntries([entry(1)], options);
    const before = set.drivers;
    const error = refusal(() => set.replace([entry(5), { type: 'counter', every: 0 }]));
    expect(error.fields).toEqual(['drivers.1.every']);
    expect(refusal(() => set.replace([{ type: 'modbus' }])).fields).toEqual(['drivers.0.type']);
    expect(refusal(() => set.replace([{ type: 'counter', every: 1, colour: 'red' }])).fields).toEqual([
      'drivers.0.colour',
    ]);
    expect(set.drivers).toEqual(before);
    // The entry built before the refused one is closed again.
    await expect.poll(() => built[1]?.closed).toBe(true);
    expect(built.map((b) => [b.every, b.closed])).toEqual([
      [1, false],
      [5, true],
    ]);
  });

  it("goes back to the configuration file's entries when given none", async () => {
    const { built, options } = counters();
    const set = DriverSet.fromEntries([entry(1)], options);
    await set.replace([entry(2)]);
    await set.replace(undefined);
    expect(built.map((b) => [b.every, b.closed])).toEqual([
      [1, true],
      [2, true],
      [1, false],
    ]);
  });

  it('refuses entries for drivers given in code, and accepts none', async () => {
    const { options } = counters();
    const driver = DriverSet.fromEntries([entry(1)], options).drivers[0] as DeviceDriver;
    const set = DriverSet.fixed([driver], { deadlineMs: 1_000, log });
    await set.replace(undefined);
    expect(refusal(() => set.replace([entry(1)])).fields).toEqual(['drivers']);
  });

  it('closes every driver', async () => {
    const { built, options } = counters();
    await DriverSet.fromEntries([entry(1), entry(2)], options).close();
    expect(built.every((b) => b.closed)).toBe(true);
  });
});
