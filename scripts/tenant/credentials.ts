import {
  type CredentialsFile,
  credentialOf,
  credentialsFile,
  readCredentials,
  writeCredentials,
} from '../../cloud/broker/credentials.ts';
import type { PartFile } from './part-file.ts';

export const credentialsDescription =
  "The tenant's gateway credentials as stored: scrypt hashes of random 192-bit secrets and pinned certificate fingerprints (neither gives a secret away), so that its gateways connect to the new installation with the secrets they have";

/** Writes the credentials of the tenant's gateways (by gateway id) from the installation's file. */
export async function writeGatewayCredentials(path: string, tenant: string, part: PartFile): Promise<void> {
  const file = await readCredentials(path);
  const theirs = Object.entries(file.gateways)
    .filter(([, entry]) => entry.tenant === tenant)
    .sort(([a], [b]) => (a < b ? -1 : 1));
  await part.write(`${JSON.stringify({ gateways: Object.fromEntries(theirs) }, null, 2)}\n`, theirs.length);
}

/** The credentials of an export (validated as the broker validates its file). */
export function exportedCredentials(json: unknown): CredentialsFile {
  return credentialsFile.parse(json);
}

/** Gateway ids of the export that the installation has a credential for already (any tenant's). */
export async function takenGateways(path: string, ids: Iterable<string>): Promise<string[]> {
  const file = await readCredentials(path);
  return [...ids].filter((id) => credentialOf(file, id) !== undefined);
}

/** Adds the exported credentials to the installation's file, as the tenant's. */
export async function addGatewayCredentials(
  path: string,
  tenant: string,
  exported: CredentialsFile,
): Promise<number> {
  const file = await readCredentials(path);
  const entries = Object.entries(exported.gateways);
  for (const [id, entry] of entries) file.gateways[id] = { ...entry, tenant };
  await writeCredentials(path, file);
  return entries.length;
}
