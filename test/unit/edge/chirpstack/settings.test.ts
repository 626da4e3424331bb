import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { chirpstackDriverFactory } from '../../../../edge/drivers/chirpstack/factory.ts';
import { DriverRegistry } from '../../../../edge/drivers/registry.ts';
import type { DriverContext } from '../../../../shared/driver.ts';

const dir = mkdtempSync(join(tmpdir(), 'city-chirpstack-settings-'));
const deviceTable = join(dir, 'devices.json');
writeFileSync(deviceTable, JSON.stringify({ models: {}, devices: [] }));
const context: DriverContext = {
  gatewayId: 'gw-1',
  devices: [],
  city: { name: 'Test', timezone: 'UTC', location: { lat: 50, lon: 14 } },
};
const registry = new DriverRegistry({ chirpstack: chirpstackDriverFactory });
const entry = (mqtt: object) => ({
  type: 'chirpstack',
  mqtt: { url: 'mqtt://127.0.0.1:1883', username: 'edge', ...mqtt },
  applicationId: '17c82e96-be03-4f38-aef3-f83d48582d97',
  deviceTable,
});
const refusal = (mqtt: object) => {
  try {
    registry.build(entry(mqtt), 0, context);
  } catch (error) {
    return error as Error & { fields: string[] };
  }
  throw new Error('the entry was accepted');
};

describe("a chirpstack entry's broker password", () => {
  it('is given inline or by a file, not both', () => {
    const both = refusal({ password: 'secret', passwordFile: join(dir, 'secret') });
    expect(both.message).toContain('give password or passwordFile, not both');
    expect(both.fields).toEqual(['drivers.0.mqtt.passwordFile']);
  });

  it('refuses a password file it cannot read, naming the setting', () => {
    const missing = join(dir, 'missing.secret');
    expect(refusal({ passwordFile: missing }).message).toMatch(
      new RegExp(`^drivers\\[0\\] \\(chirpstack\\): mqtt.passwordFile: cannot read it: .*${missing}`),
    );
  });
});
