import { describe, expect, it } from 'vitest';
import { combineHealth, HealthTracker, worstState } from '../../../../edge/drivers/health.ts';
import type { DriverHealth } from '../../../../shared/driver.ts';
import { driverHealth } from '../../../../shared/driver-health.ts';

const at = (s: number) => new Date(Date.UTC(2026, 10, 22, 16, 0, s));
const identity = { driver: 'modbus-tcp', name: 'cabinets' };

describe('HealthTracker', () => {
  it('is starting until every unit had a round, then ok', () => {
    const health = new HealthTracker(identity, ['a', 'b']);
    expect(health.snapshot()).toEqual({ ...identity, state: 'starting', errors: 0 });
    health.record('a', 'ok', at(1));
    expect(health.state).toBe('starting');
    health.record('b', 'ok', at(2));
    expect(health.snapshot()).toEqual({
      ...identity,
      state: 'ok',
      errors: 0,
      lastSuccess: at(2).toISOString(),
    });
  });

  it('is degraded after a failed round, failing after `failingAfter` in a row, ok after a good one', () => {
    const health = new HealthTracker(identity, ['cabinet'], 3);
    health.record('cabinet', 'ok', at(0));
    health.record('cabinet', 'failed', at(1), 'timeout');
    expect(health.state).toBe('degraded');
    health.record('cabinet', 'failed', at(2), 'timeout');
    expect(health.state).toBe('degraded');
    health.record('cabinet', 'failed', at(3), 'connectionRefused');
    expect(health.snapshot()).toEqual({
      ...identity,
      state: 'failing',
      errors: 3,
      lastSuccess: at(0).toISOString(),
      lastError: 'connectionRefused',
    });
    health.record('cabinet', 'ok', at(4));
    expect(health.snapshot()).toMatchObject({ state: 'ok', errors: 3, lastSuccess: at(4).toISOString() });
  });

  it('counts a round failed without a code as driverError', () => {
    const health = new HealthTracker(identity, ['cabinet']);
    health.record('cabinet', 'failed', at(1));
    expect(health.snapshot()).toMatchObject({ state: 'degraded', errors: 1, lastError: 'driverError' });
  });

  it('counts a round that worked in part as an error and a success, and is degraded until a whole one', () => {
    const health = new HealthTracker(identity, ['cabinet']);
    health.record('cabinet', 'partial', at(1), 'modbusException:2:100');
    expect(health.snapshot()).toEqual({
      ...identity,
      state: 'degraded',
      errors: 1,
      lastSuccess: at(1).toISOString(),
      lastError: 'modbusException:2:100',
    });
    health.record('cabinet', 'ok', at(2));
    expect(health.state).toBe('ok');
  });

  it('is degraded, not failing, while only some units fail', () => {
    const health = new HealthTracker(identity, ['a', 'b'], 1);
    health.record('a', 'failed', at(1), 'timeout');
    health.record('b', 'ok', at(1));
    expect(health.state).toBe('degraded');
    health.record('b', 'failed', at(2), 'timeout');
    expect(health.state).toBe('failing');
  });

  it('counts errors that say nothing of a unit, and never reports a code the heartbeat refuses', () => {
    const health = new HealthTracker(identity, []);
    health.error('invalidPayload');
    expect(health.snapshot()).toEqual({ ...identity, state: 'ok', errors: 1, lastError: 'invalidPayload' });
    health.error('plate 1AB 2345 seen');
    expect(health.snapshot().lastError).toBe('driverError');
    expect(driverHealth.safeParse(health.snapshot()).success).toBe(true);
  });
});

describe('worstState and combineHealth', () => {
  it('orders ok < starting < degraded < failing', () => {
    expect(worstState([])).toBe('ok');
    expect(worstState(['ok', 'starting'])).toBe('starting');
    expect(worstState(['starting', 'degraded', 'ok'])).toBe('degraded');
    expect(worstState(['degraded', 'failing', 'ok'])).toBe('failing');
  });

  it("adds the errors, keeps the newest success and the worst driver's last error", () => {
    const healths: DriverHealth[] = [
      { driver: 'x', state: 'ok', errors: 0, lastSuccess: at(9).toISOString() },
      { driver: 'x', state: 'degraded', errors: 2, lastSuccess: at(5).toISOString(), lastError: 'timeout' },
      { driver: 'x', state: 'failing', errors: 3, lastSuccess: at(3).toISOString(), lastError: 'pollThrew' },
      { driver: 'x', state: 'starting', errors: 0 },
    ];
    expect(combineHealth(identity, healths)).toEqual({
      ...identity,
      state: 'failing',
      errors: 5,
      lastSuccess: at(9).toISOString(),
      lastError: 'pollThrew',
    });
    expect(combineHealth({ driver: 'x' }, [])).toEqual({ driver: 'x', state: 'starting', errors: 0 });
    const worstWithout: DriverHealth[] = [
      { driver: 'x', state: 'degraded', errors: 1, lastError: 'timeout' },
      { driver: 'x', state: 'failing', errors: 0 },
    ];
    expect(combineHealth({ driver: 'x' }, worstWithout).lastError).toBe('timeout');
  });
});

describe('the driver health schema', () => {
  const ok = { driver: 'chirpstack', state: 'ok', errors: 0 };
  it.each([
    ['a code', 'timeout'],
    ['a code with numbers', 'modbusException:2:100'],
  ])('takes %s as lastError', (_what, lastError) => {
    expect(driverHealth.safeParse({ ...ok, lastError }).success).toBe(true);
  });

  it.each([
    ['a sentence', 'camera 12 saw Jana Novakova'],
    ['a plate', '1AB 2345'],
    ['a MAC address', '3c:22:fb:7a:00:9e'],
    ['words after the colon', 'timeout:host'],
    ['four numbers', 'e:1:2:3:4'],
  ])('refuses %s as lastError', (_what, lastError) => {
    expect(driverHealth.safeParse({ ...ok, lastError }).success).toBe(false);
  });

  it('refuses an unknown field, a bad type or name, a negative count', () => {
    expect(driverHealth.safeParse({ ...ok, detail: 'x' }).success).toBe(false);
    expect(driverHealth.safeParse({ ...ok, driver: 'Modbus TCP' }).success).toBe(false);
    expect(driverHealth.safeParse({ ...ok, name: 'north cabinets' }).success).toBe(false);
    // All digits would let an IMSI or a phone number through.
    expect(driverHealth.safeParse({ ...ok, name: '230031234590789' }).success).toBe(false);
    expect(driverHealth.safeParse({ ...ok, name: 'north-2' }).success).toBe(true);
    expect(driverHealth.safeParse({ ...ok, errors: -1 }).success).toBe(false);
    expect(driverHealth.safeParse({ ...ok, state: 'broken' }).success).toBe(false);
  });
});
