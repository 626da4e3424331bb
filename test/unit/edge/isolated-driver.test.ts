import { pino } from 'pino';
import { describe, expect, it, vi } from 'vitest';
import { IsolatedDriver } from '../../../edge/isolated-driver.ts';
import type { DeviceDriver, DriverHealth } from '../../../shared/driver.ts';
import type { Reading } from '../../../shared/kinds/index.ts';
import { TS, validReadings } from '../fixtures.ts';

const log = pino({ level: 'silent' });
const NOW = new Date(TS);
const reading = validReadings.streetlight as Reading;
const identity = { driver: 'modbus-tcp', name: 'north' };

/** A driver whose next poll does what the test says: answer, throw, or hang until released. */
function scripted(own: Partial<DriverHealth> = {}) {
  let next: () => Promise<{ readings: Reading[]; events: [] }> = async () => ({
    readings: [reading],
    events: [],
  });
  let closed = 0;
  const driver: DeviceDriver = {
    kind: 'streetlight',
    deviceCount: 1,
    has: (id) => id === reading.deviceId,
    poll: () => next(),
    execute: () => new Promise(() => {}),
    health: () => ({ driver: 'ignored', state: 'ok', errors: 0, ...own }),
    close: async () => {
      closed++;
    },
  };
  return {
    driver,
    answer: () => {
      next = async () => ({ readings: [reading], events: [] });
    },
    throwNext: () => {
      next = async () => {
        throw new Error('register bank on fire');
      };
    },
    hangNext: () => {
      let release: () => void = () => {};
      next = () =>
        new Promise((resolve) => {
          release = () => resolve({ readings: [reading], events: [] });
        });
      return () => release();
    },
    closed: () => closed,
  };
}

const isolate = (driver: DeviceDriver, deadlineMs = 20) =>
  new IsolatedDriver(driver, identity, { deadlineMs, log });

describe('IsolatedDriver', () => {
  it("passes a good poll through and reports the driver's health under the entry's identity", async () => {
    const { driver } = scripted({ lastSuccess: TS });
    const isolated = isolate(driver);
    expect(await isolated.poll(NOW)).toEqual({ readings: [reading], events: [] });
    expect(isolated.health()).toEqual({ ...identity, state: 'ok', errors: 0, lastSuccess: TS });
  });

  it('turns a poll that throws into nothing, counted, failing until a poll ends well', async () => {
    const script = scripted({ errors: 2, lastError: 'timeout' });
    const isolated = isolate(script.driver);
    script.throwNext();
    expect(await isolated.poll(NOW)).toEqual({ readings: [], events: [] });
    expect(isolated.health()).toEqual({ ...identity, state: 'failing', errors: 3, lastError: 'pollThrew' });
    script.answer();
    expect((await isolated.poll(NOW)).readings).toEqual([reading]);
    expect(isolated.health()).toEqual({ ...identity, state: 'ok', errors: 3, lastError: 'timeout' });
  });

  it('abandons a poll past its deadline and does not start another while it still runs', async () => {
    const script = scripted();
    const isolated = isolate(script.driver);
    const release = script.hangNext();
    expect(await isolated.poll(NOW)).toEqual({ readings: [], events: [] });
    expect(isolated.health()).toMatchObject({ state: 'failing', errors: 1, lastError: 'pollDeadline' });
    script.answer();
    expect(await isolated.poll(NOW)).toEqual({ readings: [], events: [] });
    expect(isolated.health()).toMatchObject({ state: 'failing', errors: 2, lastError: 'pollStillRunning' });
    release();
    // Once the hung poll ended, the next one runs again.
    await expect.poll(() => isolated.poll(NOW).then((r) => r.readings.length)).toBe(1);
    expect(isolated.health().state).toBe('ok');
  });

  it('counts a poll due while an abandoned one still runs, even if the clock says its deadline is a millisecond away', async () => {
    const script = scripted();
    const isolated = isolate(script.driver);
    const release = script.hangNext();
    const startedAt = Date.now();
    expect(await isolated.poll(NOW)).toEqual({ readings: [], events: [] });
    // The deadline's timer fired; the wall clock may still read a millisecond short of it.
    const clock = vi.spyOn(Date, 'now').mockReturnValue(startedAt + 19);
    try {
      expect(await isolated.poll(NOW)).toEqual({ readings: [], events: [] });
    } finally {
      clock.mockRestore();
    }
    expect(isolated.health()).toMatchObject({ errors: 2, lastError: 'pollStillRunning' });
    release();
  });

  it('skips a poll due while the previous one runs within its deadline, without counting it', async () => {
    const script = scripted();
    const isolated = isolate(script.driver, 60_000);
    const release = script.hangNext();
    const first = isolated.poll(NOW);
    expect(await isolated.poll(NOW)).toEqual({ readings: [], events: [] });
    expect(isolated.health()).toMatchObject({ state: 'ok', errors: 0 });
    release();
    expect((await first).readings).toEqual([reading]);
  });

  it('fails a command past its deadline and counts it', async () => {
    const isolated = isolate(scripted().driver);
    await expect(isolated.execute(reading.deviceId, { action: 'switch', on: true }, NOW)).rejects.toThrow();
    expect(isolated.health()).toMatchObject({ state: 'ok', errors: 1, lastError: 'commandDeadline' });
  });

  it('reports a driver whose health the heartbeat could not carry as failing with invalidHealth', () => {
    const sentence = isolate(scripted({ lastError: 'could not read lamp of Jana Novakova' }).driver);
    expect(sentence.health()).toEqual({
      ...identity,
      state: 'failing',
      errors: 0,
      lastError: 'invalidHealth',
    });
    const throwing = scripted().driver;
    throwing.health = () => {
      throw new Error('no health');
    };
    expect(isolate(throwing).health()).toMatchObject({ state: 'failing', lastError: 'healthThrew' });
  });

  it('keeps the driver type a driver given in code reports', () => {
    const isolated = new IsolatedDriver(scripted().driver, undefined, { deadlineMs: 20, log });
    expect(isolated.health().driver).toBe('ignored');
  });

  it('closes the driver, and gives up on a close that hangs', async () => {
    const script = scripted();
    await isolate(script.driver).close();
    expect(script.closed()).toBe(1);
    const hanging = scripted().driver;
    hanging.close = () => new Promise(() => {});
    await isolate(hanging).close();
  });
});
