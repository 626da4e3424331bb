import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  CredentialStore,
  credentialsFile,
  hashSecret,
  issueCredential,
  newSecret,
  readCredentials,
  verifySecret,
} from '../../../../cloud/broker/credentials.ts';

let dir: string;
let counter = 0;
/** A fresh, not yet existing credentials file path per test. */
const freshPath = () => join(dir, `credentials-${++counter}.json`);

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'credentials-test-'));
});

afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

describe('hashSecret / verifySecret', () => {
  it('verifies the right secret and refuses a wrong one', async () => {
    const hash = await hashSecret('correct horse battery staple');
    expect(await verifySecret('correct horse battery staple', hash)).toBe(true);
    expect(await verifySecret('correct horse battery stapl', hash)).toBe(false);
    expect(await verifySecret('', hash)).toBe(false);
  });

  it('stores a well-formed scrypt string that does not contain the secret', async () => {
    const secret = newSecret();
    const hash = await hashSecret(secret);
    expect(hash).toMatch(/^scrypt\$16384\$8\$1\$[A-Za-z0-9+/=]+\$[A-Za-z0-9+/=]+$/);
    expect(hash).not.toContain(secret);
    expect(hash).not.toContain(Buffer.from(secret).toString('base64'));
  });

  it('salts: two hashes of the same secret differ and both verify', async () => {
    const [a, b] = await Promise.all([hashSecret('s3cret'), hashSecret('s3cret')]);
    expect(a).not.toBe(b);
    expect(await verifySecret('s3cret', a)).toBe(true);
    expect(await verifySecret('s3cret', b)).toBe(true);
  });
});

describe('newSecret', () => {
  it('is random, URL-safe and carries 192 bits', () => {
    const a = newSecret();
    expect(a).toMatch(/^[A-Za-z0-9_-]{32}$/);
    expect(newSecret()).not.toBe(a);
  });
});

describe('issueCredential', () => {
  it('creates the file with a verifiable hash, never the secret', async () => {
    const path = freshPath();
    const now = new Date('2026-11-22T16:00:00.000Z');
    const secret = await issueCredential(path, 'gw-centrum-01', now);
    const text = await readFile(path, 'utf8');
    expect(text).not.toContain(secret);
    const file = credentialsFile.parse(JSON.parse(text));
    expect(Object.keys(file.gateways)).toEqual(['gw-centrum-01']);
    expect(file.gateways['gw-centrum-01']).toMatchObject({ createdAt: now.toISOString(), revoked: false });
    expect(await verifySecret(secret, file.gateways['gw-centrum-01']?.hash ?? '')).toBe(true);
  });

  it('keeps the other gateways when issuing one', async () => {
    const path = freshPath();
    await issueCredential(path, 'gw-a');
    await issueCredential(path, 'gw-b');
    expect(Object.keys((await readCredentials(path)).gateways).sort()).toEqual(['gw-a', 'gw-b']);
  });

  it('refuses an invalid gateway id and leaves no file behind', async () => {
    const path = freshPath();
    await expect(issueCredential(path, 'GW 1')).rejects.toThrow();
    await expect(readFile(path)).rejects.toMatchObject({ code: 'ENOENT' });
  });
});

describe('readCredentials', () => {
  it('treats a missing file as no gateways', async () => {
    expect(await readCredentials(freshPath())).toEqual({ gateways: {} });
  });

  it('names the file when its content breaks the schema', async () => {
    const path = freshPath();
    await writeFile(path, JSON.stringify({ gateways: { 'gw-1': { hash: 'plaintext', createdAt: 'now' } } }));
    await expect(readCredentials(path)).rejects.toThrow(path);
  });

  it('names the file when a gateway id is invalid', async () => {
    const path = freshPath();
    const hash = await hashSecret('x');
    await writeFile(
      path,
      JSON.stringify({ gateways: { 'GW 1': { hash, createdAt: '2026-11-22T16:00:00Z' } } }),
    );
    await expect(readCredentials(path)).rejects.toThrow(path);
  });

  it('names the file when its content is not JSON', async () => {
    const path = freshPath();
    await writeFile(path, '{ not json');
    await expect(readCredentials(path)).rejects.toThrow(`credentials file ${path} is not JSON`);
  });
});

describe('CredentialStore', () => {
  it('verifies an issued secret and refuses a wrong one or an unknown gateway', async () => {
    const path = freshPath();
    const secret = await issueCredential(path, 'gw-centrum-01');
    const store = new CredentialStore(path);
    expect(await store.verify('gw-centrum-01', secret)).toBe(true);
    expect(await store.verify('gw-centrum-01', `${secret}x`)).toBe(false);
    expect(await store.verify('gw-centrum-02', secret)).toBe(false);
  });

  it('picks up a rotation: the old secret stops working, the new one works', async () => {
    const path = freshPath();
    const store = new CredentialStore(path);
    const first = await issueCredential(path, 'gw-1');
    expect(await store.verify('gw-1', first)).toBe(true);
    const second = await issueCredential(path, 'gw-1');
    expect(second).not.toBe(first);
    expect(await store.verify('gw-1', first)).toBe(false);
    expect(await store.verify('gw-1', second)).toBe(true);
  });

  it('refuses a revoked gateway once the file is edited', async () => {
    const path = freshPath();
    const secret = await issueCredential(path, 'gw-1');
    const store = new CredentialStore(path);
    expect(await store.verify('gw-1', secret)).toBe(true);
    const file = JSON.parse(await readFile(path, 'utf8'));
    file.gateways['gw-1'].revoked = true;
    await writeFile(path, JSON.stringify(file));
    expect(await store.verify('gw-1', secret)).toBe(false);
  });

  it('lets nobody in when the file is missing', async () => {
    const store = new CredentialStore(freshPath());
    expect(await store.verify('gw-1', 'anything')).toBe(false);
    expect(await store.verify('gw-1', '')).toBe(false);
  });

  it('lets nobody in once the file is deleted', async () => {
    const path = freshPath();
    const secret = await issueCredential(path, 'gw-1');
    const store = new CredentialStore(path);
    expect(await store.verify('gw-1', secret)).toBe(true);
    await rm(path);
    expect(await store.verify('gw-1', secret)).toBe(false);
  });

  it('never lets in a gateway named after an inherited object property', async () => {
    const path = freshPath();
    await issueCredential(path, 'gw-1');
    const store = new CredentialStore(path);
    // 'constructor' is a valid gateway id; it must resolve false, not find Object.prototype.constructor.
    expect(await store.verify('constructor', 'x')).toBe(false);
    expect(await store.verify('__proto__', 'x')).toBe(false);
  });

  it('throws with the path when the file content is invalid', async () => {
    const path = freshPath();
    await writeFile(
      path,
      JSON.stringify({ gateways: { 'gw-1': { hash: 'nope', createdAt: '2026-11-22T16:00:00Z' } } }),
    );
    await expect(new CredentialStore(path).verify('gw-1', 'x')).rejects.toThrow(path);
  });
});
