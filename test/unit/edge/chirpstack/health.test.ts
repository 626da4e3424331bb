import { describe, expect, it } from 'vitest';
import { HealthCounter, healthOf } from '../../../../edge/drivers/chirpstack/health.ts';
import { RecentIds } from '../../../../edge/drivers/chirpstack/recent-ids.ts';
import { driverHealth } from '../../../../shared/driver-health.ts';

const at = (s: number) => new Date(Date.UTC(2026, 10, 1, 12, 0, s));
const identity = { driver: 'chirpstack', name: 'north' };

describe('the health of a chirpstack driver', () => {
  it('starts, is ok once connected, degraded while the latest message failed, ok after a good one', () => {
    const bins = new HealthCounter();
    expect(healthOf(identity, 'starting', [bins])).toEqual({ ...identity, state: 'starting', errors: 0 });
    expect(healthOf(identity, 'up', [bins]).state).toBe('ok');
    bins.success(at(1));
    bins.failure(at(2), 'codecTimeout');
    expect(healthOf(identity, 'up', [bins])).toEqual({
      ...identity,
      state: 'degraded',
      errors: 1,
      lastSuccess: at(1).toISOString(),
      lastError: 'codecTimeout',
    });
    bins.success(at(3));
    expect(healthOf(identity, 'up', [bins])).toMatchObject({
      state: 'ok',
      errors: 1,
      lastSuccess: at(3).toISOString(),
    });
  });

  it('is degraded when an error and a success come in the same millisecond, and before any success', () => {
    const bins = new HealthCounter();
    bins.failure(at(1), 'badPayload');
    expect(healthOf({ driver: 'chirpstack' }, 'up', [bins])).toEqual({
      driver: 'chirpstack',
      state: 'degraded',
      errors: 1,
      lastError: 'badPayload',
    });
    bins.success(at(1));
    expect(healthOf(identity, 'up', [bins]).state).toBe('degraded');
  });

  it('adds up its counters: errors summed, the latest success and the latest error', () => {
    const lamps = new HealthCounter();
    const entry = new HealthCounter();
    lamps.failure(at(1), 'codecErrors');
    lamps.success(at(4));
    entry.failure(at(3), 'unknownDevice');
    entry.success(at(2));
    expect(healthOf(identity, 'up', [lamps, entry])).toEqual({
      ...identity,
      state: 'ok',
      errors: 2,
      lastSuccess: at(4).toISOString(),
      lastError: 'unknownDevice',
    });
    entry.failure(at(5), 'badPayload');
    expect(healthOf(identity, 'up', [lamps, entry])).toMatchObject({
      state: 'degraded',
      lastError: 'badPayload',
    });
    expect(healthOf(identity, 'up', [lamps])).toMatchObject({
      state: 'ok',
      errors: 1,
      lastError: 'codecErrors',
    });
  });

  it('is failing while its broker is unreachable, whatever else happened, and passes the contract schema', () => {
    const bins = new HealthCounter();
    bins.success(at(1));
    const failing = healthOf(identity, 'down', [bins]);
    expect(failing.state).toBe('failing');
    bins.failure(at(2), 'codecOutOfMemory');
    expect(driverHealth.parse(healthOf(identity, 'down', [bins]))).toMatchObject({ state: 'failing' });
  });
});

describe('recent ids', () => {
  it('tells a repeated id from a new one, and forgets the oldest beyond its size', () => {
    const ids = new RecentIds(2);
    expect(ids.seen('a')).toBe(false);
    expect(ids.seen('a')).toBe(true);
    expect(ids.seen('b')).toBe(false);
    expect(ids.seen('a')).toBe(true);
    expect(ids.seen('c')).toBe(false);
    expect(ids.seen('b')).toBe(true);
    expect(ids.seen('a')).toBe(false);
  });
});
