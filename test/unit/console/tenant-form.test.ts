import { describe, expect, it } from 'vitest';
import type { Tenant } from '../../../console/src/api/types.ts';
import {
  bytesPerMB,
  emptyTenantForm,
  parseNumber,
  tenantFormOf,
  toNewTenant,
  toTenantChange,
} from '../../../console/src/tenant/form-values.ts';

const loket: Tenant = {
  id: 'loket',
  name: 'Loket',
  timezone: 'Europe/Prague',
  location: { lat: 50.1861, lon: 12.754 },
  status: 'active',
  quotas: {
    devices: 2_000,
    gateways: 20,
    messagesPerSecond: 100,
    deadLetterBytes: 64 * bytesPerMB,
    retentionDays: 400,
  },
  createdAt: '2025-01-01T00:00:00.000Z',
};

describe('a number as typed', () => {
  it('reads a decimal comma and drops spaces between thousands', () => {
    expect(parseNumber('50,2306')).toBe(50.2306);
    expect(parseNumber('1 000 000')).toBe(1_000_000);
    expect(parseNumber(' 12.75 ')).toBe(12.75);
    expect(parseNumber('0')).toBe(0);
  });

  it('is no value when empty, and stays text when it is no number (the server says why)', () => {
    expect(parseNumber('')).toBeUndefined();
    expect(parseNumber('  ')).toBeUndefined();
    expect(parseNumber('many')).toBe('many');
  });
});

describe('a new town', () => {
  const typed = {
    ...emptyTenantForm,
    id: ' loket ',
    name: 'Loket ',
    'location.lat': '50,1861',
    'location.lon': '12.754',
  };

  it('leaves out the quotas when none is given (the installation defaults apply)', () => {
    expect(toNewTenant(typed)).toEqual({
      id: 'loket',
      name: 'Loket',
      timezone: 'Europe/Prague',
      location: { lat: 50.1861, lon: 12.754 },
    });
  });

  it('sends the quotas given, dead letters in bytes from MB', () => {
    expect(
      toNewTenant({ ...typed, 'quotas.devices': '2 000', 'quotas.deadLetterBytes': '1,5' }).quotas,
    ).toEqual({ devices: 2_000, deadLetterBytes: 1.5 * bytesPerMB });
  });
});

describe("a town's change", () => {
  it('starts from the town as it is, dead letters in MB', () => {
    const values = tenantFormOf(loket);
    expect(values.name).toBe('Loket');
    expect(values['quotas.deadLetterBytes']).toBe('64');
    expect(values['quotas.devices']).toBe('2000');
    expect(toTenantChange(values, loket)).toEqual({});
  });

  it('sends the name and the quotas that changed, nothing else', () => {
    const values = {
      ...tenantFormOf(loket),
      name: 'Město Loket',
      'quotas.gateways': '25',
      'quotas.deadLetterBytes': '128',
    };
    expect(toTenantChange(values, loket)).toEqual({
      name: 'Město Loket',
      quotas: { gateways: 25, deadLetterBytes: 128 * bytesPerMB },
    });
  });

  it('leaves an emptied quota as it is', () => {
    expect(toTenantChange({ ...tenantFormOf(loket), 'quotas.devices': '' }, loket)).toEqual({});
  });
});
