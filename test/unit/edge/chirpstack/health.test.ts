import { describe, expect, it } from 'vitest';
import { HealthTracker } from '../../../../edge/drivers/chirpstack/health.ts';
import { RecentIds } from '../../../../edge/drivers/chirpstack/recent-ids.ts';
import { driverHealth } from '../../../../shared/driver.ts';

const at = (s: number) => new Date(Date.UTC(2026, 10, 1, 12, 0, s));

describe('the health of a chirpstack entry', () => {
  it('starts, is ok once connected, degraded while the latest message failed, ok after a good one', () => {
    const health = new HealthTracker('chirpstack', 'north');
    expect(health.snapshot()).toEqual({ driver: 'chirpstack', name: 'north', state: 'starting', errors: 0 });
    health.connection(true);
    expect(health.snapshot().state).toBe('ok');
    health.success(at(1));
    health.failure(at(2), 'codecTimeout', 'bin-000001, model city-bin');
    expect(health.snapshot()).toEqual({
      driver: 'chirpstack',
      name: 'north',
      state: 'degraded',
      errors: 1,
      lastSuccess: at(1).toISOString(),
      lastError: 'codecTimeout (bin-000001, model city-bin)',
    });
    health.success(at(3));
    expect(health.snapshot()).toMatchObject({ state: 'ok', errors: 1, lastSuccess: at(3).toISOString() });
  });

  it('is degraded when an error and a success come in the same millisecond, and before any success', () => {
    const health = new HealthTracker('chirpstack');
    health.connection(true);
    health.failure(at(1), 'badPayload');
    expect(health.snapshot()).toEqual({
      driver: 'chirpstack',
      state: 'degraded',
      errors: 1,
      lastError: 'badPayload',
    });
    health.success(at(1));
    expect(health.snapshot().state).toBe('degraded');
  });

  it('is failing while its broker is unreachable, whatever else happened', () => {
    const health = new HealthTracker('chirpstack');
    health.connection(false);
    expect(health.snapshot().state).toBe('failing');
    health.connection(true);
    health.success(at(1));
    health.connection(false);
    expect(health.snapshot().state).toBe('failing');
  });

  it('keeps its last error within 200 characters, and passes the contract schema', () => {
    const health = new HealthTracker('chirpstack');
    health.failure(at(1), 'codecErrors', 'x'.repeat(300));
    const snapshot = health.snapshot();
    expect(snapshot.lastError).toHaveLength(200);
    expect(driverHealth.parse(snapshot)).toEqual(snapshot);
    expect(health.errorCount).toBe(1);
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
