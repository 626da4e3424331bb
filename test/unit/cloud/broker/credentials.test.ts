import { X509Certificate } from 'node:crypto';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  credentialOf,
  credentialsFile,
  hashSecret,
  issueCredential,
  newSecret,
  pinCertificate,
  readCredentials,
  revokeCredential,
  secretOpens,
  verifySecret,
} from '../../../../cloud/broker/credentials.ts';
import { makeCertificates } from '../../../helpers/certificates.ts';

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

describe('revocation and rotation keep or drop a pinned certificate', () => {
  let certs: Awaited<ReturnType<typeof makeCertificates>>;
  beforeAll(async () => {
    certs = await makeCertificates(dir, ['gw-1', 'gw-2']);
  });
  const pem = (gateway: string) => readFile(certs.client(gateway).cert);

  it('pins the certificate by its SHA-256 fingerprint, as openssl prints it', async () => {
    const path = freshPath();
    const fingerprint = await pinCertificate(path, 'gw-1', await pem('gw-1'));
    expect(fingerprint).toBe(new X509Certificate(await pem('gw-1')).fingerprint256);
    expect(credentialOf(await readCredentials(path), 'gw-1')).toMatchObject({
      certFingerprint: fingerprint,
      revoked: false,
    });
    expect(credentialOf(await readCredentials(path), 'gw-1')?.hash).toBeUndefined();
  });

  it('refuses a certificate whose CN is another gateway, and text that is not a certificate', async () => {
    const path = freshPath();
    await expect(pinCertificate(path, 'gw-1', await pem('gw-2'))).rejects.toThrow(/CN=gw-2.*CN=gw-1/);
    await expect(pinCertificate(path, 'gw-1', 'not a certificate')).rejects.toThrow(/not a PEM certificate/);
    expect(await readCredentials(path)).toEqual({ gateways: {} });
  });

  it('a rotation keeps the pinned certificate; a secret added to a certificate keeps both', async () => {
    const path = freshPath();
    const fingerprint = await pinCertificate(path, 'gw-1', await pem('gw-1'));
    const secret = await issueCredential(path, 'gw-1');
    const entry = credentialOf(await readCredentials(path), 'gw-1');
    expect(entry?.certFingerprint).toBe(fingerprint);
    expect(await secretOpens(entry, secret)).toBe(true);
    await pinCertificate(path, 'gw-1', await pem('gw-1'));
    expect(await secretOpens(credentialOf(await readCredentials(path), 'gw-1'), secret)).toBe(true);
  });

  it('re-enabling a revoked gateway starts from nothing: neither its old certificate nor its old secret', async () => {
    const path = freshPath();
    const secret = await issueCredential(path, 'gw-1');
    await pinCertificate(path, 'gw-1', await pem('gw-1'));
    expect(await revokeCredential(path, 'gw-1')).toBe(true);
    await issueCredential(path, 'gw-1');
    expect(credentialOf(await readCredentials(path), 'gw-1')?.certFingerprint).toBeUndefined();
    await revokeCredential(path, 'gw-1');
    await pinCertificate(path, 'gw-1', await pem('gw-1'));
    const entry = credentialOf(await readCredentials(path), 'gw-1');
    expect(entry?.hash).toBeUndefined();
    expect(await secretOpens(entry, secret)).toBe(false);
  });

  it('a gateway with neither a secret nor a certificate is not a valid file', () => {
    const parsed = credentialsFile.safeParse({
      gateways: { 'gw-1': { createdAt: '2026-11-22T16:00:00Z', revoked: false } },
    });
    expect(parsed.success).toBe(false);
  });
});

describe('secretOpens', () => {
  it('opens a live credential with its secret only', async () => {
    const path = freshPath();
    const secret = await issueCredential(path, 'gw-1');
    const entry = credentialOf(await readCredentials(path), 'gw-1');
    expect(await secretOpens(entry, secret)).toBe(true);
    expect(await secretOpens(entry, `${secret}x`)).toBe(false);
    expect(await secretOpens(undefined, secret)).toBe(false);
    await revokeCredential(path, 'gw-1');
    expect(await secretOpens(credentialOf(await readCredentials(path), 'gw-1'), secret)).toBe(false);
  });

  it('never finds a gateway named after an inherited object property', async () => {
    const path = freshPath();
    await issueCredential(path, 'gw-1');
    const file = await readCredentials(path);
    // 'constructor' is a valid gateway id; it must not find Object.prototype.constructor.
    expect(credentialOf(file, 'constructor')).toBeUndefined();
    expect(credentialOf(file, '__proto__')).toBeUndefined();
  });
});
