import { readdir, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { z } from 'zod';
import type { Cloud } from '../cloud/cloud.ts';
import { type TenantSeed, tenantSeed } from '../cloud/tenants/seed.ts';
import type { FleetFile } from '../shared/fleet.ts';
import { readFleetFiles } from '../shared/fleet-files.ts';
import { tenantId } from '../shared/ids.ts';
import type { Logger } from '../shared/log.ts';

/** A town of the demo region: its tenant id, its seed, and its fleet files. */
export interface SeededTown {
  id: string;
  seed: TenantSeed;
  fleets: FleetFile[];
}

/** The towns seeded in TENANTS_DIR (folders with a tenant.json), by id; none: a single-city demo. */
export async function seededTowns(tenantsDir: string): Promise<SeededTown[]> {
  const folders = await readdir(tenantsDir, { withFileTypes: true }).catch(() => []);
  const towns: SeededTown[] = [];
  for (const folder of folders.filter((f) => f.isDirectory()).sort((a, b) => (a.name < b.name ? -1 : 1))) {
    const path = join(tenantsDir, folder.name, 'tenant.json');
    const text = await readFile(path, 'utf8').catch(() => undefined);
    if (text === undefined) continue;
    const id = tenantId.safeParse(folder.name);
    if (!id.success)
      throw new Error(`${path}: the folder name is not a tenant id: ${id.error.issues[0]?.message}`);
    const seed = tenantSeed.safeParse(JSON.parse(text));
    if (!seed.success) throw new Error(`${path} is invalid: ${z.prettifyError(seed.error)}`);
    towns.push({
      id: id.data,
      seed: seed.data,
      fleets: await readFleetFiles(join(tenantsDir, folder.name, 'fleet')),
    });
  }
  return towns;
}

/** Creates the seeded towns that are not tenants yet (a deleted one comes back at the next start). */
export async function createSeededTenants(cloud: Cloud, towns: SeededTown[], log: Logger): Promise<void> {
  for (const town of towns) {
    if (cloud.tenants.current(town.id)) continue;
    await cloud.tenants.create({ id: town.id, ...town.seed });
    log.info({ tenant: town.id, name: town.seed.name }, 'demo town created');
  }
}
