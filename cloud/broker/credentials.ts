import { randomBytes, scrypt, timingSafeEqual } from 'node:crypto';
import { mkdir, readFile, rename, stat, writeFile } from 'node:fs/promises';
import { dirname } from 'node:path';
import { promisify } from 'node:util';
import { z } from 'zod';
import { gatewayId } from '../../shared/ids.ts';

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

export const credentialsFile = z
  .object({
    gateways: z.record(
      gatewayId,
      z
        .object({ hash: scryptHash, createdAt: z.iso.datetime(), revoked: z.boolean().default(false) })
        .strict(),
    ),
  })
  .strict();
export type CredentialsFile = z.infer<typeof credentialsFile>;

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

/** Writes atomically (temp file + rename) so the broker never reads half a file. */
export async function writeCredentials(path: string, file: CredentialsFile): Promise<void> {
  await mkdir(dirname(path), { recursive: true });
  const temp = `${path}.${process.pid}.tmp`;
  await writeFile(temp, `${JSON.stringify(file, null, 2)}\n`, { mode: 0o600 });
  await rename(temp, path);
}

/**
 * Creates or rotates gateways' credentials in one write; returns the secrets, which are shown once
 * and never stored.
 */
export async function issueCredentials(
  path: string,
  gateways: string[],
  now = new Date(),
): Promise<Map<string, string>> {
  const file = await readCredentials(path);
  const secrets = new Map<string, string>();
  for (const gateway of gateways) {
    const secret = newSecret();
    const hash = await hashSecret(secret);
    file.gateways[gatewayId.parse(gateway)] = { hash, createdAt: now.toISOString(), revoked: false };
    secrets.set(gateway, secret);
  }
  await writeCredentials(path, file);
  return secrets;
}

export async function issueCredential(path: string, gateway: string, now = new Date()): Promise<string> {
  return (await issueCredentials(path, [gateway], now)).get(gateway) as string;
}

/** Revokes a gateway's credential: it can no longer connect. Returns false if it had none. */
export async function revokeCredential(path: string, gateway: string): Promise<boolean> {
  const file = await readCredentials(path);
  const entry = Object.hasOwn(file.gateways, gateway) ? file.gateways[gateway] : undefined;
  if (!entry) return false;
  entry.revoked = true;
  await writeCredentials(path, file);
  return true;
}

/** The broker's view of the credentials file, re-read when the file changes on disk. */
export class CredentialStore {
  private readonly path: string;
  private file: CredentialsFile = { gateways: {} };
  private loadedMtime = -1;

  constructor(path: string) {
    this.path = path;
  }

  private async current(): Promise<CredentialsFile> {
    const mtime = await stat(this.path).then(
      (s) => s.mtimeMs,
      () => 0,
    );
    if (mtime !== this.loadedMtime) {
      this.file = await readCredentials(this.path);
      this.loadedMtime = mtime;
    }
    return this.file;
  }

  async verify(gateway: string, secret: string): Promise<boolean> {
    const { gateways } = await this.current();
    if (!Object.hasOwn(gateways, gateway)) return false;
    const entry = gateways[gateway];
    if (!entry || entry.revoked) return false;
    return verifySecret(secret, entry.hash);
  }
}
