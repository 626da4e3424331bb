import { describe, expect, it } from 'vitest';
import {
  currentParams,
  hashPassword,
  needsRehash,
  verifyDummy,
  verifyPassword,
} from '../../../../cloud/access/passwords.ts';

describe('password hashes (scrypt)', () => {
  it('stores the parameters and a per-user salt with the hash, never the password', async () => {
    const a = await hashPassword('correct horse battery');
    const b = await hashPassword('correct horse battery');
    expect(a).toMatch(/^scrypt\$32768\$8\$1\$[A-Za-z0-9+/]{22}==\$[A-Za-z0-9+/]{43}=$/);
    expect(a).not.toBe(b);
    expect(a).not.toContain('correct');
  });

  it('verifies the password and nothing else', async () => {
    const stored = await hashPassword('correct horse battery');
    expect(await verifyPassword('correct horse battery', stored)).toBe(true);
    for (const wrong of ['correct horse batter', 'correct horse battery ', 'Correct horse battery', ''])
      expect(await verifyPassword(wrong, stored)).toBe(false);
  });

  it('verifies a hash made with other parameters, and says it needs a new one', async () => {
    const old = await hashPassword('correct horse battery', { N: 2 ** 14, r: 8, p: 1 });
    expect(old).toMatch(/^scrypt\$16384\$8\$1\$/);
    expect(await verifyPassword('correct horse battery', old)).toBe(true);
    expect(needsRehash(old)).toBe(true);
    expect(needsRehash(await hashPassword('x'.repeat(10)))).toBe(false);
    expect(needsRehash(await hashPassword('x'.repeat(10)), { ...currentParams, r: 16 })).toBe(true);
  });

  it.each([
    ['not a hash', 'plain text'],
    ['another algorithm', '$2b$10$abcdefghijklmnopqrstuv'],
    [
      'N not a power of two',
      'scrypt$30000$8$1$AAAAAAAAAAAAAAAAAAAAAA==$AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA=',
    ],
    [
      'N too large (gigabytes)',
      'scrypt$1073741824$8$1$AAAAAAAAAAAAAAAAAAAAAA==$AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA=',
    ],
    [
      'r out of range',
      'scrypt$16384$0$1$AAAAAAAAAAAAAAAAAAAAAA==$AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA=',
    ],
    ['hash too short', 'scrypt$16384$8$1$AAAAAAAAAAAAAAAAAAAAAA==$AAAA'],
  ])('refuses a stored value that is %s, without throwing', async (_name, stored) => {
    expect(await verifyPassword('anything', stored)).toBe(false);
    expect(needsRehash(stored)).toBe(true);
  });

  it('verifies a dummy hash for unknown users, which no password opens', async () => {
    expect(await verifyDummy('correct horse battery')).toBe(false);
    expect(await verifyDummy('')).toBe(false);
  });
});
