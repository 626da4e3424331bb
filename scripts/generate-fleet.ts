import { writeFile } from 'node:fs/promises';
import { parseArgs } from 'node:util';
import { z } from 'zod';
import { generateFleet } from '../simulators/fleet.ts';
import { readRegionFile } from './region/region-file.ts';
import { regionTenants, writeTenantFolders } from './region/tenant-folders.ts';

/**
 * One city: `npm run fleet:generate -- --devices 10000 --seed 7 --out provisioning/fleet/big.json`
 * A region of towns, one tenant folder each (tenant.json and fleet/<id>.json):
 * `npm run fleet:generate -- --region provisioning/regions/karlovarsky-kraj.json --tenants-dir provisioning/tenants`
 */
const { values } = parseArgs({
  options: {
    devices: { type: 'string', default: '150' },
    seed: { type: 'string', default: '1' },
    'per-gateway': { type: 'string', default: '50' },
    out: { type: 'string' },
    region: { type: 'string' },
    'tenants-dir': { type: 'string', default: './provisioning/tenants' },
  },
});

if (values.region !== undefined) {
  const region = await readRegionFile(values.region);
  const folders = regionTenants(region);
  await writeTenantFolders(values['tenants-dir'], folders);
  for (const { id, fleet } of folders)
    console.log(`${id}: ${fleet.devices.length} devices on ${fleet.gateways.length} gateways`);
  console.log(`wrote ${folders.length} towns of ${region.name} to ${values['tenants-dir']}`);
} else {
  const options = z
    .object({
      devices: z.coerce.number().int().min(1).max(1_000_000),
      seed: z.coerce.number().int(),
      perGateway: z.coerce.number().int().min(1),
      out: z.string().min(1, '--out names the file to write (or --region names a region file)'),
    })
    .parse({
      devices: values.devices,
      seed: values.seed,
      perGateway: values['per-gateway'],
      out: values.out ?? '',
    });
  const fleet = generateFleet({
    seed: options.seed,
    devices: options.devices,
    devicesPerGateway: options.perGateway,
  });
  await writeFile(options.out, `${JSON.stringify(fleet, null, 1)}\n`);
  console.log(`wrote ${fleet.devices.length} devices on ${fleet.gateways.length} gateways to ${options.out}`);
}
