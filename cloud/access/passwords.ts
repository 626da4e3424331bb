import { randomBytes, scrypt, timingSafeEqual } from 'node:crypto';
import { z } from 'zod';

/**
 * Users' passwords, hashed with scrypt (node:crypto). The parameters are stored with each hash
 * (`scrypt$N$r$p$salt$hash`, base64), so they can be raised later: a hash made with other
 * parameters still verifies, and `needsRehash` tells the caller to store a new one.
 */
export interface ScryptParams {
  N: number;
  r: number;
  p: number;
}

/** N = 2^15, r = 8, p = 1: 32 MiB of memory for each hash or verification. */
export const currentParams: ScryptParams = { N: 2 ** 15, r: 8, p: 1 };
const keyLength = 32;
const saltLength = 16;

/** What a stored hash may declare: bounded, so that a damaged or hostile value cannot ask for gigabytes. */
const storedHash = z
  .string()
  .regex(/^scrypt\$\d+\$\d+\$\d+\$[A-Za-z0-9+/]+=*\$[A-Za-z0-9+/]+=*$/, 'scrypt$N$r$p$salt$hash')
  .transform((text) => {
    const [, N, r, p, salt, hash] = text.split('$') as string[];
    return {
      params: { N: Number(N), r: Number(r), p: Number(p) },
      salt: Buffer.from(salt as string, 'base64'),
      hash: Buffer.from(hash as string, 'base64'),
    };
  })
  .refine(
    ({ params: { N, r, p } }) =>
      N >= 2 ** 10 && N <= 2 ** 20 && (N & (N - 1)) === 0 && r >= 1 && r <= 32 && p >= 1 && p <= 16,
    'scrypt parameters out of range',
  )
  .refine(({ hash }) => hash.length >= 16 && hash.length <= 64, 'hash length out of range');

function derive(password: string, salt: Buffer, length: number, params: ScryptParams): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    // scrypt needs 128 * N * r bytes; Node refuses at its default maxmem (32 MiB) for N = 2^15, r = 8.
    const maxmem = 256 * params.N * params.r;
    scrypt(password, salt, length, { ...params, maxmem }, (error, key) =>
      error ? reject(error) : resolve(key),
    );
  });
}

export async function hashPassword(password: string, params: ScryptParams = currentParams): Promise<string> {
  const salt = randomBytes(saltLength);
  const hash = await derive(password, salt, keyLength, params);
  return `scrypt$${params.N}$${params.r}$${params.p}$${salt.toString('base64')}$${hash.toString('base64')}`;
}

/** Whether `password` opens `stored`; false (not an exception) for a stored value that is not a valid hash. */
export async function verifyPassword(password: string, stored: string): Promise<boolean> {
  const parsed = storedHash.safeParse(stored);
  if (!parsed.success) return false;
  const { params, salt, hash } = parsed.data;
  const actual = await derive(password, salt, hash.length, params);
  return timingSafeEqual(actual, hash);
}

/** Whether `stored` was made with other parameters than today's, and should be replaced after a sign-in. */
export function needsRehash(stored: string, params: ScryptParams = currentParams): boolean {
  const parsed = storedHash.safeParse(stored);
  if (!parsed.success) return true;
  const held = parsed.data.params;
  return held.N !== params.N || held.r !== params.r || held.p !== params.p;
}

let dummy: Promise<string> | undefined;

/**
 * Spends the time of one verification on a hash nobody's password opens: an unknown username is
 * answered as slowly as a wrong password, so timing does not tell which usernames exist.
 */
export async function verifyDummy(password: string): Promise<false> {
  dummy ??= hashPassword(randomBytes(32).toString('base64'));
  await verifyPassword(password, await dummy);
  return false;
}
