import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { TenantSeed } from '../../cloud/tenants/seed.ts';
import type { FleetFile } from '../../shared/fleet.ts';
import { hashString } from '../../simulators/random.ts';
import { generateTown } from '../../simulators/town.ts';
import type { RegionFile } from './region-file.ts';

/** What one town's folder of TENANTS_DIR holds: `<id>/tenant.json` and `<id>/fleet/<id>.json`. */
export interface TenantFolder {
  id: string;
  tenant: TenantSeed;
  fleet: FleetFile;
}

/**
 * Every town of the region as a tenant folder. A town's fleet is seeded by the region's seed and the
 * town's id only, so adding or reordering towns leaves the others' fleets as they were.
 */
export function regionTenants(region: RegionFile): TenantFolder[] {
  return region.towns.map((town) => {
    const { id, code, name, timezone, location, quotas, devices, devicesPerGateway, districts } = town;
    const tenant: TenantSeed = { name, timezone, location, ...(quotas === undefined ? {} : { quotas }) };
    const fleet = generateTown({
      seed: hashString(`${region.seed}/${id}`),
      city: { name, timezone, location },
      code,
      districts,
      devices,
      devicesPerGateway,
    });
    return { id, tenant, fleet };
  });
}

/** The text of each file, as committed: tenant.json indented by 2, the (long) fleet file by 1. */
export function tenantFolderFiles(folder: TenantFolder): { path: string; text: string }[] {
  return [
    { path: join(folder.id, 'tenant.json'), text: `${JSON.stringify(folder.tenant, null, 2)}\n` },
    {
      path: join(folder.id, 'fleet', `${folder.id}.json`),
      text: `${JSON.stringify(folder.fleet, null, 1)}\n`,
    },
  ];
}

/** Writes the folders under `dir`; returns the paths written. Other files in `dir` are left alone. */
export async function writeTenantFolders(dir: string, folders: TenantFolder[]): Promise<string[]> {
  const written: string[] = [];
  for (const file of folders.flatMap(tenantFolderFiles)) {
    const path = join(dir, file.path);
    await mkdir(join(path, '..'), { recursive: true });
    await writeFile(path, file.text);
    written.push(path);
  }
  return written;
}
