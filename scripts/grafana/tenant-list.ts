import { readFile } from 'node:fs/promises';
import { z } from 'zod';
import { tenantId } from '../../shared/ids.ts';

/** What the sync needs of a tenant; the platform's tenant records carry more, which is ignored. */
export const syncTenant = z.object({
  id: tenantId,
  name: z.string().min(1).max(100),
  timezone: z.string().min(1).optional(),
});
export type SyncTenant = z.infer<typeof syncTenant>;

/** A JSON array of tenants, or the body of GET /api/v1/tenants (`{ items: [...] }`) saved to a file. */
const tenantList = z
  .preprocess(
    (json) => (typeof json === 'object' && json !== null && 'items' in json ? json.items : json),
    z.array(syncTenant),
  )
  .superRefine((tenants, ctx) => {
    const names = tenants.map((t) => t.name);
    const ids = tenants.map((t) => t.id);
    for (const [i, name] of names.entries())
      if (names.indexOf(name) !== i)
        ctx.addIssue({
          code: 'custom',
          message: `two tenants are named ${name}: Grafana organisation names are unique`,
        });
    for (const [i, id] of ids.entries())
      if (ids.indexOf(id) !== i)
        ctx.addIssue({ code: 'custom', message: `the tenant ${id} is listed twice` });
  });

function parseTenants(json: unknown, source: string): SyncTenant[] {
  const parsed = tenantList.safeParse(json);
  if (!parsed.success)
    throw new Error(`the tenants of ${source} are invalid: ${z.prettifyError(parsed.error)}`);
  return parsed.data;
}

export async function tenantsFromFile(path: string): Promise<SyncTenant[]> {
  let json: unknown;
  try {
    json = JSON.parse(await readFile(path, 'utf8'));
  } catch (error) {
    throw new Error(`tenant list ${path}: ${(error as Error).message}`);
  }
  return parseTenants(json, path);
}

/** GET /api/v1/tenants with a region user's token: a region-admin sees every tenant. */
export async function tenantsFromApi(apiUrl: string, token: string): Promise<SyncTenant[]> {
  const url = `${apiUrl.replace(/\/+$/, '')}/api/v1/tenants`;
  let response: Response;
  try {
    response = await fetch(url, {
      headers: { accept: 'application/json', authorization: `Bearer ${token}` },
    });
  } catch (error) {
    throw new Error(`the platform API did not answer GET ${url}: ${(error as Error).message}`);
  }
  const text = await response.text();
  if (!response.ok) throw new Error(`the platform API answered GET ${url} with ${response.status}: ${text}`);
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch (error) {
    throw new Error(
      `the platform API answered GET ${url} with something other than JSON: ${(error as Error).message}`,
    );
  }
  return parseTenants(json, url);
}
