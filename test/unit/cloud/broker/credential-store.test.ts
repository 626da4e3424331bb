import { mkdir, mkdtemp, rename, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { CredentialStore } from '../../../../cloud/broker/credential-store.ts';
import {
  type CredentialsFile,
  issueCredential,
  revokeCredential,
  secretOpens,
} from '../../../../cloud/broker/credentials.ts';
import { Counters } from '../../../../cloud/monitoring/counters.ts';
import { captureLog } from '../../../helpers/log-capture.ts';
import { waitFor } from '../../../helpers/wait.ts';

let dir: string;
let counter = 0;
/** A fresh, not yet existing credentials file path per test. */
const freshPath = () => join(dir, `credentials-${++counter}.json`);
const stores: CredentialStore[] = [];

function storeAt(path: string, pollMs?: number) {
  const { log, entries } = captureLog();
  const counters = new Counters();
  const store = new CredentialStore(path, { log, counters, ...(pollMs ? { pollMs } : {}) });
  stores.push(store);
  const versions: CredentialsFile[] = [];
  return { store, counters, entries, versions, start: () => store.start((file) => versions.push(file)) };
}

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'credential-store-test-'));
});

afterEach(() => {
  for (const store of stores.splice(0)) store.stop();
});

afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

describe('CredentialStore, read on demand', () => {
  it('opens an issued secret and nothing else', async () => {
    const path = freshPath();
    const secret = await issueCredential(path, 'gw-centrum-01');
    const { store } = storeAt(path);
    expect(await secretOpens(await store.credential('gw-centrum-01'), secret)).toBe(true);
    expect(await secretOpens(await store.credential('gw-centrum-01'), `${secret}x`)).toBe(false);
    expect(await store.credential('gw-centrum-02')).toBeUndefined();
  });

  it('sees a rotation at once: the old secret stops working, the new one works', async () => {
    const path = freshPath();
    const { store } = storeAt(path);
    const first = await issueCredential(path, 'gw-1');
    expect(await secretOpens(await store.credential('gw-1'), first)).toBe(true);
    const second = await issueCredential(path, 'gw-1');
    expect(await secretOpens(await store.credential('gw-1'), first)).toBe(false);
    expect(await secretOpens(await store.credential('gw-1'), second)).toBe(true);
  });

  it('lets nobody in when the file is missing, or once it is deleted', async () => {
    const path = freshPath();
    const { store } = storeAt(path);
    expect(await store.credential('gw-1')).toBeUndefined();
    await issueCredential(path, 'gw-1');
    expect(await store.credential('gw-1')).toBeDefined();
    await rm(path);
    expect(await store.credential('gw-1')).toBeUndefined();
  });

  it('rejects with the path while no valid version was ever read', async () => {
    const path = freshPath();
    await writeFile(
      path,
      JSON.stringify({ gateways: { 'gw-1': { hash: 'nope', createdAt: '2026-11-22T16:00:00Z' } } }),
    );
    await expect(storeAt(path).store.credential('gw-1')).rejects.toThrow(path);
    await expect(storeAt(path).start()).rejects.toThrow(path);
  });
});

describe('CredentialStore, following the file', () => {
  it('hands each new version to onChange soon after another process rewrites the file', async () => {
    const path = freshPath();
    await issueCredential(path, 'gw-1');
    const { start, versions } = storeAt(path, 60_000); // a poll this slow never fires: fs.watch does it
    await start();
    expect(versions).toEqual([]);
    await revokeCredential(path, 'gw-1');
    await waitFor('the revocation to be read', () => versions.length > 0);
    const [file] = versions;
    expect(file?.gateways['gw-1']?.revoked).toBe(true);
  });

  it('keeps the last good version when the file becomes invalid, and says why', async () => {
    const path = freshPath();
    const secret = await issueCredential(path, 'gw-1');
    const { store, start, versions, counters, entries } = storeAt(path, 60_000);
    await start();
    await writeFile(`${path}.tmp`, '{ "gateways": { "gw-1": ');
    await rename(`${path}.tmp`, path);
    await waitFor('the bad file to be refused', () => counters.get('credentials_file_refused') === 1);
    expect(versions).toEqual([]);
    expect(await secretOpens(await store.credential('gw-1'), secret)).toBe(true);
    const refusal = entries.find((e) => e.msg.startsWith('credentials file refused'));
    expect(refusal).toMatchObject({ path, level: 50 });
    expect(String(refusal?.err)).toContain('is not JSON');
    // The same bad file is refused once, not again on every look.
    await store.credential('gw-1');
    expect(counters.get('credentials_file_refused')).toBe(1);
    // A good file again is taken.
    await writeFile(path, '{"gateways":{}}');
    await waitFor('the good file to be read', () => versions.length === 1);
    expect(await store.credential('gw-1')).toBeUndefined();
  });

  it('falls back to polling when the folder cannot be watched (it does not exist yet)', async () => {
    const folder = join(dir, `later-${++counter}`);
    const path = join(folder, 'gateway-credentials.json');
    const { start, versions, entries } = storeAt(path, 50);
    await start();
    expect(entries.some((e) => e.msg.startsWith('credentials folder not watched'))).toBe(true);
    await mkdir(folder);
    await issueCredential(path, 'gw-1');
    await waitFor('the poll to read the new file', () => versions.length > 0);
    const [file] = versions;
    expect(Object.keys(file?.gateways ?? {})).toEqual(['gw-1']);
  });
});
