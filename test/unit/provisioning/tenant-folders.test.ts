import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { tenantSeed } from '../../../cloud/tenants/seed.ts';
import { readRegionFile, regionFile } from '../../../scripts/region/region-file.ts';
import { regionTenants, tenantFolderFiles } from '../../../scripts/region/tenant-folders.ts';
import { fleetFile } from '../../../shared/fleet.ts';
import { tenantId } from '../../../shared/ids.ts';
import { deviceKind } from '../../../shared/kinds/index.ts';

const tenantsDir = join(import.meta.dirname, '../../../provisioning/tenants');
const regionPath = join(import.meta.dirname, '../../../provisioning/regions/karlovarsky-kraj.json');

const readJson = (path: string): unknown => JSON.parse(readFileSync(path, 'utf8'));

/** Every tenant folder as the demo reads it: tenant.json and each fleet file. */
const folders = readdirSync(tenantsDir, { withFileTypes: true })
  .filter((entry) => entry.isDirectory())
  .map(({ name: id }) => {
    const fleetDir = join(tenantsDir, id, 'fleet');
    return {
      id,
      tenant: tenantSeed.parse(readJson(join(tenantsDir, id, 'tenant.json'))),
      fleets: readdirSync(fleetDir)
        .filter((file) => file.endsWith('.json'))
        .map((file) => ({ file, fleet: fleetFile.parse(readJson(join(fleetDir, file))) })),
    };
  });

describe('provisioning/tenants', () => {
  it('holds the towns of the demo region, each named by a tenant id', () => {
    expect(folders.map((f) => f.id).sort()).toEqual(['bochov', 'cheb', 'karlovy-vary', 'marianske-lazne']);
    for (const { id } of folders) expect(tenantId.parse(id)).toBe(id);
  });

  it('gives every town at least one fleet file whose city is the tenant', () => {
    for (const { tenant, fleets } of folders) {
      expect(fleets.length).toBeGreaterThan(0);
      for (const { fleet } of fleets)
        expect(fleet.city).toEqual({
          name: tenant.name,
          timezone: tenant.timezone,
          location: tenant.location,
        });
    }
  });

  it('has every device kind in every town', () => {
    for (const { id, fleets } of folders) {
      const kinds = new Set(fleets.flatMap(({ fleet }) => fleet.devices.map((d) => d.kind)));
      expect([...kinds].sort(), id).toEqual([...deviceKind.options].sort());
    }
  });

  it('never uses a gateway id or a device id in two towns', () => {
    const gateways = folders.flatMap(({ fleets }) =>
      fleets.flatMap(({ fleet }) => fleet.gateways.map((g) => g.id)),
    );
    const devices = folders.flatMap(({ fleets }) =>
      fleets.flatMap(({ fleet }) => fleet.devices.map((d) => d.id)),
    );
    expect(new Set(gateways).size).toBe(gateways.length);
    expect(new Set(devices).size).toBe(devices.length);
  });

  it('stays a modest demo: under 1,500 devices, from a village of 40 to a town of 600', () => {
    const sizes = folders.map(({ fleets }) => fleets.reduce((n, { fleet }) => n + fleet.devices.length, 0));
    expect(sizes.reduce((a, b) => a + b, 0)).toBeLessThan(1_500);
    expect(Math.min(...sizes)).toBe(40);
    expect(Math.max(...sizes)).toBe(600);
  });

  it('is exactly what the region file generates (npm run fleet:generate -- --region …)', async () => {
    const region = await readRegionFile(regionPath);
    for (const folder of regionTenants(region))
      for (const { path, text } of tenantFolderFiles(folder))
        expect(readFileSync(join(tenantsDir, path), 'utf8'), path).toBe(text);
  });
});

describe('the region file', () => {
  const region = regionFile.parse(readJson(regionPath));
  const [first, second] = region.towns as [(typeof region.towns)[number], (typeof region.towns)[number]];

  it('places every district in the Europe/Prague time zone, within 10 km of its town', () => {
    for (const town of region.towns) {
      expect(town.timezone).toBe('Europe/Prague');
      for (const d of town.districts) {
        expect(Math.abs(d.location.lat - town.location.lat)).toBeLessThan(0.09);
        expect(Math.abs(d.location.lon - town.location.lon)).toBeLessThan(0.14);
      }
    }
  });

  it.each([
    ['two towns with one id', () => ({ ...region, towns: [first, { ...second, id: first.id }] }), 'the id'],
    [
      'two towns with one code',
      () => ({ ...region, towns: [first, { ...second, code: first.code }] }),
      'the code',
    ],
    [
      'a district listed twice',
      () => ({ ...region, towns: [{ ...first, districts: [first.districts[0], first.districts[0]] }] }),
      'twice',
    ],
  ])('refuses %s', (_, make, message) => {
    const parsed = regionFile.safeParse(make());
    expect(parsed.success).toBe(false);
    expect(parsed.error?.issues.map((i) => i.message).join('; ')).toContain(message);
  });

  it('refuses a town that is not a tenant: an id with upper case, an unknown field', () => {
    expect(regionFile.safeParse({ ...region, towns: [{ ...first, id: 'Cheb' }] }).success).toBe(false);
    expect(regionFile.safeParse({ ...region, towns: [{ ...first, mayor: 'x' }] }).success).toBe(false);
  });
});
