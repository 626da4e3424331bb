import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { FleetFile } from '../../shared/fleet.ts';
import { generateFleet } from '../../simulators/fleet.ts';
import { apiFetch } from './cloud.ts';

/** A town of the test region: its tenant id, its city and a fleet whose ids carry the town's prefix. */
export interface Town {
  id: string;
  fleet: FleetFile;
}

/** A generated fleet in a town of its own: every gateway and device id starts with `prefix-`. */
export function townFleet(options: {
  seed: number;
  devices: number;
  prefix: string;
  city: FleetFile['city'];
  devicesPerGateway?: number;
}): FleetFile {
  const fleet = generateFleet({
    seed: options.seed,
    devices: options.devices,
    devicesPerGateway: options.devicesPerGateway ?? 20,
  });
  const p = (id: string) => `${options.prefix}-${id}`;
  return {
    city: options.city,
    gateways: fleet.gateways.map((g) => ({ ...g, id: p(g.id) })),
    devices: fleet.devices.map((d) => ({ ...d, id: p(d.id), gatewayId: p(d.gatewayId) })),
  };
}

export const karlovyVary: Town = {
  id: 'karlovy-vary',
  fleet: townFleet({
    seed: 41,
    devices: 40,
    prefix: 'kv',
    city: { name: 'Karlovy Vary', timezone: 'Europe/Prague', location: { lat: 50.2306, lon: 12.8711 } },
  }),
};

export const loket: Town = {
  id: 'loket',
  fleet: townFleet({
    seed: 42,
    devices: 20,
    prefix: 'lo',
    city: { name: 'Loket', timezone: 'Europe/Prague', location: { lat: 50.1861, lon: 12.754 } },
  }),
};

/** Writes each town's fleet file into its folder of TENANTS_DIR. */
export async function writeTownFolders(tenantsDir: string, towns: Town[]): Promise<void> {
  for (const town of towns) {
    const fleetDir = join(tenantsDir, town.id, 'fleet');
    await mkdir(fleetDir, { recursive: true });
    await writeFile(join(fleetDir, `${town.id}.json`), JSON.stringify(town.fleet));
  }
}

/** Creates the town's tenant over the API as region staff (the test admin token). */
export async function createTenant(apiUrl: string, town: Town, quotas: Record<string, number> = {}) {
  const res = await apiFetch(`${apiUrl}/api/v1/tenants`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ id: town.id, ...town.fleet.city, quotas }),
  });
  if (res.status !== 201) throw new Error(`creating tenant ${town.id}: ${res.status} ${await res.text()}`);
  return res.json();
}

/** A request as region staff to a tenant's routes (X-Tenant). */
export function asRegion(apiUrl: string, tenant: string, path: string, init: RequestInit = {}) {
  const headers = new Headers(init.headers);
  headers.set('x-tenant', tenant);
  if (init.body) headers.set('content-type', 'application/json');
  return apiFetch(`${apiUrl}${path}`, { ...init, headers });
}
