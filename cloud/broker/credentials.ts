import { randomBytes, scrypt, timingSafeEqual, X509Certificate } from 'node:crypto';
import { mkdir, open, readFile, rename } from 'node:fs/promises';
import { dirname } from 'node:path';
import { promisify } from 'node:util';
import { z } from 'zod';
import { defaultTenantId, gatewayId, tenantId } from '../../shared/ids.ts';

const scryptAsync = promisify(scrypt) as (
  password: string,
  salt: Buffer,
  keylen: number,
  options: { N: number; r: number; p: number },
) => Promise<Buffer>;

const params = { N: 16_384, r: 8, p: 1 };
const keyLength = 32;

/** Format: `scrypt$N$r$p$salt(base64)$hash(base64)`; the secret itself is never stored. */
const scryptHash = z
  .string()
  .regex(/^scrypt\$\d+\$\d+\$\d+\$[A-Za-z0-9+/=]+\$[A-Za-z0-9+/=]+$/, 'scrypt$N$r$p$salt$hash');

/** A certificate's SHA-256 fingerprint as Node and `openssl x509 -fingerprint -sha256` write it. */
export const certificateFingerprint = z
  .string()
  .regex(/^[0-9A-F]{2}(:[0-9A-F]{2}){31}$/, 'SHA-256 fingerprint, 32 upper-case hex bytes separated by ":"');

/**
 * One gateway's credential: the hash of its secret, the fingerprint of the one client certificate it
 * may present under mutual TLS, or both.
 */
export const gatewayCredential = z
  .object({
    hash: scryptHash.optional(),
    certFingerprint: certificateFingerprint.optional(),
    createdAt: z.iso.datetime(),
    revoked: z.boolean().default(false),
    /** The tenant (municipality) the gateway belongs to; files written before tenants: the default one. */
    tenant: tenantId.default(defaultTenantId),
  })
  .strict()
  .refine((entry) => entry.hash !== undefined || entry.certFingerprint !== undefined, {
    message: 'a gateway needs a secret hash, a certificate fingerprint, or both',
  });
export type GatewayCredential = z.infer<typeof gatewayCredential>;

export const credentialsFile = z.object({ gateways: z.record(gatewayId, gatewayCredential) }).strict();
export type CredentialsFile = z.infer<typeof credentialsFile>;

/** The gateway's own entry: never one inherited from Object.prototype (a gateway named `constructor`). */
export function credentialOf(file: CredentialsFile, gateway: string): GatewayCredential | undefined {
  return Object.hasOwn(file.gateways, gateway) ? file.gateways[gateway] : undefined;
}

export async function hashSecret(secret: string): Promise<string> {
  const salt = randomBytes(16);
  const hash = await scryptAsync(secret, salt, keyLength, params);
  return `scrypt$${params.N}$${params.r}$${params.p}$${salt.toString('base64')}$${hash.toString('base64')}`;
}

export async function verifySecret(secret: string, stored: string): Promise<boolean> {
  const [, n, r, p, salt, hash] = stored.split('$') as [string, string, string, string, string, string];
  const expected = Buffer.from(hash, 'base64');
  const actual = await scryptAsync(secret, Buffer.from(salt, 'base64'), expected.length, {
    N: Number(n),
    r: Number(r),
    p: Number(p),
  });
  return timingSafeEqual(actual, expected);
}

export function newSecret(): string {
  return randomBytes(24).toString('base64url');
}

export async function readCredentials(path: string): Promise<CredentialsFile> {
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return { gateways: {} };
    throw error;
  }
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch (error) {
    throw new Error(`credentials file ${path} is not JSON: ${(error as Error).message}`);
  }
  const parsed = credentialsFile.safeParse(json);
  if (!parsed.success)
    throw new Error(`credentials file ${path} is invalid: ${z.prettifyError(parsed.error)}`);
  return parsed.data;
}

/**
 * Writes atomically (temp file + rename) so the broker never reads half a file, and durably: the temp
 * file is flushed before the rename and the directory after it, so a crash or a disk turning
 * read-only cannot leave an empty file behind (ext4 allocates a new file's blocks late; the fault
 * test test/faults/read-only-disk.test.ts found an empty credentials file without these flushes).
 */
export async function writeCredentials(path: string, file: CredentialsFile): Promise<void> {
  await mkdir(dirname(path), { recursive: true });
  const temp = `${path}.${process.pid}.tmp`;
  const handle = await open(temp, 'w', 0o600);
  try {
    await handle.writeFile(`${JSON.stringify(file, null, 2)}\n`);
    await handle.sync();
  } finally {
    await handle.close();
  }
  await rename(temp, path);
  const directory = await open(dirname(path), 'r');
  try {
    await directory.sync();
  } finally {
    await directory.close();
  }
}

/**
 * Gives a gateway a new secret (its hash). A pinned certificate stays, unless the credential was
 * revoked: re-enabling a revoked gateway starts from nothing, so its old certificate stays refused.
 */
export function setSecretHash(
  file: CredentialsFile,
  gateway: string,
  hash: string,
  now: Date,
  tenant: string = defaultTenantId,
): void {
  const existing = credentialOf(file, gateway);
  // Gateway ids are unique across the installation: one tenant's id is never handed to another.
  if (existing && !existing.revoked && existing.tenant !== tenant)
    throw new Error(`gateway ${gateway} belongs to another tenant (${existing.tenant}); choose another id`);
  const certFingerprint = existing && !existing.revoked ? existing.certFingerprint : undefined;
  file.gateways[gatewayId.parse(gateway)] = {
    hash,
    ...(certFingerprint ? { certFingerprint } : {}),
    createdAt: now.toISOString(),
    revoked: false,
    tenant: tenantId.parse(tenant),
  };
}

/**
 * Creates or rotates gateways' credentials in one write; returns the secrets, which are shown once
 * and never stored.
 */
export async function issueCredentials(
  path: string,
  gateways: string[],
  now = new Date(),
  tenant: string = defaultTenantId,
): Promise<Map<string, string>> {
  const file = await readCredentials(path);
  const secrets = new Map(gateways.map((gateway) => [gateway, newSecret()] as const));
  // scrypt runs in libuv's thread pool: the hashes of many gateways are made side by side.
  const hashed = await Promise.all(
    [...secrets].map(async ([gateway, secret]) => [gateway, await hashSecret(secret)] as const),
  );
  for (const [gateway, hash] of hashed) setSecretHash(file, gateway, hash, now, tenant);
  await writeCredentials(path, file);
  return secrets;
}

export async function issueCredential(
  path: string,
  gateway: string,
  now = new Date(),
  tenant: string = defaultTenantId,
): Promise<string> {
  return (await issueCredentials(path, [gateway], now, tenant)).get(gateway) as string;
}

/** Removes every credential of a tenant's gateways (the tenant is deleted); returns how many. */
export async function removeTenantCredentials(path: string, tenant: string): Promise<number> {
  const file = await readCredentials(path);
  const theirs = Object.entries(file.gateways).filter(([, entry]) => entry.tenant === tenant);
  if (theirs.length === 0) return 0;
  for (const [gateway] of theirs) delete file.gateways[gateway];
  await writeCredentials(path, file);
  return theirs.length;
}

/** Revokes a gateway's credential: it can no longer connect. Returns false if it had none. */
export async function revokeCredential(path: string, gateway: string): Promise<boolean> {
  const file = await readCredentials(path);
  const entry = credentialOf(file, gateway);
  if (!entry) return false;
  entry.revoked = true;
  await writeCredentials(path, file);
  return true;
}

function commonName(subject: string): string | undefined {
  return subject
    .split('\n')
    .find((line) => line.startsWith('CN='))
    ?.slice(3);
}

/**
 * Pins the one client certificate (PEM) a gateway may present under mutual TLS, by its SHA-256
 * fingerprint; its CN must be the gateway id. A secret the gateway has stays, unless the credential
 * was revoked (then only the certificate is kept). Returns the fingerprint.
 */
export async function pinCertificate(
  path: string,
  gateway: string,
  pem: string | Buffer,
  now = new Date(),
): Promise<string> {
  const id = gatewayId.parse(gateway);
  let certificate: X509Certificate;
  try {
    certificate = new X509Certificate(pem);
  } catch (error) {
    throw new Error(`not a PEM certificate: ${(error as Error).message}`);
  }
  const name = commonName(certificate.subject);
  if (name !== id)
    throw new Error(
      `the certificate is for CN=${name ?? '(none)'}; a gateway's certificate must have CN=${id}`,
    );
  const file = await readCredentials(path);
  const existing = credentialOf(file, id);
  const hash = existing && !existing.revoked ? existing.hash : undefined;
  file.gateways[id] = {
    ...(hash ? { hash } : {}),
    certFingerprint: certificate.fingerprint256,
    createdAt: now.toISOString(),
    revoked: false,
    tenant: existing?.tenant ?? defaultTenantId,
  };
  await writeCredentials(path, file);
  return certificate.fingerprint256;
}

/** Whether `secret` opens this credential: it exists, is not revoked, and has that secret's hash. */
export async function secretOpens(entry: GatewayCredential | undefined, secret: string): Promise<boolean> {
  if (!entry || entry.revoked || entry.hash === undefined) return false;
  return verifySecret(secret, entry.hash);
}
