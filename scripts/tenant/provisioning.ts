import { existsSync } from 'node:fs';
import { join } from 'node:path';
import type { TenantPaths } from '../../cloud/tenants/paths.ts';
import { jsonFilesIn } from '../../shared/json-files.ts';
import type { PartSchema } from './manifest.ts';

export type ProvisioningSchema = Extract<PartSchema, { type: 'provisioning' }>;

const descriptions: Record<ProvisioningSchema['target'], string> = {
  fleet: 'A fleet file of the tenant: its gateways and devices as provisioned (JSON, as the region wrote it)',
  rules: 'A rules file of the tenant (JSON, as written; rules saved over the API are in store/rules.ndjson)',
  notifications:
    "The tenant's notification channels (JSON, as written); it may hold webhook signing secrets: keep the export private",
};

/** A provisioning file of a tenant and the part it becomes. */
export interface ProvisioningFile {
  source: string;
  path: string;
  schema: ProvisioningSchema;
}

function file(source: string, target: ProvisioningSchema['target'], name: string): ProvisioningFile {
  const path =
    target === 'notifications' ? 'provisioning/notifications.json' : `provisioning/${target}/${name}`;
  return {
    source,
    path,
    schema: { type: 'provisioning', description: descriptions[target], target, file: name },
  };
}

/**
 * The files a tenant is provisioned from (its fleet files, rule files and notification channels):
 * without them the devices of the registry would not be provisioned any more, and file rules missing.
 */
export async function provisioningFiles(paths: TenantPaths): Promise<ProvisioningFile[]> {
  const files = [
    ...(await jsonFilesIn(paths.fleetDir)).map((name) => file(join(paths.fleetDir, name), 'fleet', name)),
    ...(await jsonFilesIn(paths.rulesDir)).map((name) => file(join(paths.rulesDir, name), 'rules', name)),
  ];
  if (paths.notificationsFile && existsSync(paths.notificationsFile))
    files.push(file(paths.notificationsFile, 'notifications', 'notifications.json'));
  return files;
}

/** Where an imported provisioning file goes among the tenant's folders. */
export function provisioningTarget(paths: TenantPaths, schema: ProvisioningSchema): string {
  if (schema.target === 'fleet') return join(paths.fleetDir, schema.file);
  if (schema.target === 'rules') return join(paths.rulesDir, schema.file);
  if (!paths.notificationsFile)
    throw new Error(
      'the export has notification channels: set NOTIFICATIONS_FILE to import them into the default tenant',
    );
  return paths.notificationsFile;
}
