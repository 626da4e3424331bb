import { readFile } from 'node:fs/promises';
import { z } from 'zod';
import { tenantSeed } from '../../cloud/tenants/seed.ts';
import { location } from '../../shared/fleet.ts';
import { tagValue, tenantId } from '../../shared/ids.ts';

const district = z
  .object({
    name: tagValue('A real part of the town (část obce), the district of its devices'),
    location,
    radius: z.number().positive().max(5_000),
    weight: z.number().positive(),
    streets: z.array(z.string().min(1).max(150)).min(1),
  })
  .strict();

const town = tenantSeed
  .extend({
    id: tenantId,
    code: z
      .string()
      .regex(/^[a-z][a-z0-9]{1,9}$/, '2-10 lowercase letters or digits, starting with a letter'),
    population: z.number().int().positive(),
    devices: z.number().int().min(1),
    devicesPerGateway: z.number().int().min(1),
    districts: z.array(district).min(1),
  })
  .strict();
export type Town = z.infer<typeof town>;

function duplicates(values: string[]): string[] {
  return values.filter((value, index) => values.indexOf(value) !== index);
}

/**
 * A region of towns for the demo (provisioning/regions/*.json): each town becomes a tenant folder
 * (`npm run fleet:generate -- --region <file>`). Town ids and codes are unique, so every gateway and
 * device id of the region is.
 */
export const regionFile = z
  .object({ name: z.string().min(1).max(100), seed: z.number().int(), towns: z.array(town).min(1) })
  .strict()
  .superRefine((region, ctx) => {
    for (const key of ['id', 'code'] as const)
      for (const value of duplicates(region.towns.map((t) => t[key])))
        ctx.addIssue({ code: 'custom', path: ['towns'], message: `two towns have the ${key} ${value}` });
    region.towns.forEach((t, i) => {
      for (const name of duplicates(t.districts.map((d) => d.name)))
        ctx.addIssue({
          code: 'custom',
          path: ['towns', i, 'districts'],
          message: `${t.name} lists ${name} twice`,
        });
    });
  });
export type RegionFile = z.infer<typeof regionFile>;

export async function readRegionFile(path: string): Promise<RegionFile> {
  let json: unknown;
  try {
    json = JSON.parse(await readFile(path, 'utf8'));
  } catch (error) {
    throw new Error(`region file ${path}: ${(error as Error).message}`);
  }
  const parsed = regionFile.safeParse(json);
  if (!parsed.success) throw new Error(`region file ${path} is invalid: ${z.prettifyError(parsed.error)}`);
  return parsed.data;
}
