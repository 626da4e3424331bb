import { describe, expect, it } from 'vitest';
import { tenantSeed } from '../../../../cloud/tenants/seed.ts';

const cheb = { name: 'Cheb', timezone: 'Europe/Prague', location: { lat: 50.0796, lon: 12.3739 } };
const quotas = {
  devices: 800,
  gateways: 20,
  messagesPerSecond: 50,
  deadLetterBytes: 1_000_000,
  retentionDays: 365,
};

describe('tenantSeed', () => {
  it('accepts a town without quotas, with all of them and with some', () => {
    expect(tenantSeed.parse(cheb)).toEqual(cheb);
    expect(tenantSeed.parse({ ...cheb, quotas })).toEqual({ ...cheb, quotas });
    expect(tenantSeed.parse({ ...cheb, quotas: { devices: 10 } }).quotas).toEqual({ devices: 10 });
    expect(tenantSeed.parse({ ...cheb, quotas: {} }).quotas).toEqual({});
  });

  it('accepts the smallest limits', () => {
    const smallest = {
      devices: 0,
      gateways: 0,
      messagesPerSecond: 0.1,
      deadLetterBytes: 0,
      retentionDays: 1,
    };
    expect(tenantSeed.parse({ ...cheb, quotas: smallest }).quotas).toEqual(smallest);
  });

  it.each([
    ['a negative device count', { devices: -1 }],
    ['a fractional gateway count', { gateways: 1.5 }],
    ['zero messages per second', { messagesPerSecond: 0 }],
    ['negative dead-letter bytes', { deadLetterBytes: -1 }],
    ['zero retention days', { retentionDays: 0 }],
    ['a string for a number', { devices: '10' }],
    ['an unknown quota', { readings: 10 }],
  ])('refuses %s', (_, bad) => {
    expect(tenantSeed.safeParse({ ...cheb, quotas: bad }).success).toBe(false);
  });

  it.each([
    ['no name', { timezone: cheb.timezone, location: cheb.location }],
    ['an empty name', { ...cheb, name: '' }],
    ['an unknown time zone', { ...cheb, timezone: 'Europe/Karlsbad' }],
    ['a latitude beyond the pole', { ...cheb, location: { lat: 91, lon: 12 } }],
    ['an id (the folder names the tenant)', { ...cheb, id: 'cheb' }],
    ['a status (a seed only creates active tenants)', { ...cheb, status: 'active' }],
  ])('refuses a seed with %s', (_, bad) => {
    expect(tenantSeed.safeParse(bad).success).toBe(false);
  });
});
