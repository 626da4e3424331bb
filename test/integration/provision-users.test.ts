import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { LocalInfluxd } from '../../cloud/storage/local-influxd.ts';
import { BrowserClient } from '../helpers/browser-session.ts';
import { apiFetch, startTestCloud, type TestCloud } from '../helpers/cloud.ts';
import { startTestInfluxd } from '../helpers/influxd.ts';
import { provisionCli } from '../helpers/provision-cli.ts';

let influxd: LocalInfluxd;
let cloud: TestCloud;

beforeAll(async () => {
  influxd = await startTestInfluxd();
  cloud = await startTestCloud(influxd.url);
});

afterAll(async () => {
  await cloud?.stop();
  await influxd?.stop();
});

/** The password a command printed on its last line. */
const printedPassword = (output: string) => output.trim().split('\n').at(-1) as string;

describe('npm run provision -- user', () => {
  it('adds the first admin with a password printed once, who signs in to the running cloud', async () => {
    const output = await provisionCli(cloud.dataDir, ['user', 'add', 'admin.eva', '--role', 'admin']);
    expect(output).toContain('user admin.eva (admin) added; password (shown once');
    const password = printedPassword(output);
    expect(password).toMatch(/^[A-Za-z0-9_-]{20}$/);
    const browser = new BrowserClient(cloud.apiUrl);
    const res = await browser.signIn('admin.eva', password);
    expect(res.status).toBe(200);
    // A password shown on a terminal is replaced at the first sign-in.
    expect(res.body.user).toEqual({
      username: 'admin.eva',
      displayName: 'admin.eva',
      role: 'admin',
      mustChangePassword: true,
      tenant: 'default',
      grants: [],
    });
  });

  it('takes the password from a file, then disables, resets and lists users', async () => {
    const file = join(cloud.dataDir, 'ops-password');
    await writeFile(file, 'ops-chosen-password\n');
    const added = await provisionCli(cloud.dataDir, [
      'user',
      'add',
      'ops',
      '--role',
      'operator',
      '--password-file',
      file,
    ]);
    expect(added.trim()).toBe('user ops (operator) added');
    const browser = new BrowserClient(cloud.apiUrl);
    const signIn = await browser.signIn('ops', 'ops-chosen-password');
    expect(signIn.body.user.mustChangePassword).toBe(false);
    expect((await browser.call('GET', '/api/v1/devices')).status).toBe(200);

    expect(await provisionCli(cloud.dataDir, ['user', 'disable', 'ops'])).toContain('user ops disabled');
    expect((await browser.call('GET', '/api/v1/session')).status).toBe(401);
    expect((await browser.signIn('ops', 'ops-chosen-password')).status).toBe(401);

    const reset = await provisionCli(cloud.dataDir, ['user', 'reset', 'ops']);
    expect(reset).toContain('user ops: password reset');
    // Reset does not enable a disabled user.
    expect((await browser.signIn('ops', printedPassword(reset))).status).toBe(401);

    const list = await provisionCli(cloud.dataDir, ['user', 'list']);
    const lines = list.trim().split('\n');
    expect(lines.map((l) => l.split('\t')[0])).toEqual(['admin.eva', 'ops']);
    expect(lines[1]).toMatch(
      /^ops\toperator\tops\tcreated \S+\tlast sign-in \S+\tDISABLED\tmust change password$/,
    );
    expect(list).not.toContain('scrypt');

    const audit = await apiFetch(`${cloud.apiUrl}/api/v1/audit?limit=100`);
    const entries = ((await audit.json()) as { items: { actor: string; action: string }[] }).items;
    expect(entries.filter((e) => e.actor === 'provision').map((e) => e.action)).toEqual([
      'user.reset',
      'user.update',
      'user.create',
      'user.create',
    ]);
  });

  it('refuses a bad role, a bad username, a short password file and an unknown user, naming what is wrong', async () => {
    await expect(provisionCli(cloud.dataDir, ['user', 'add', 'x', '--role', 'chief'])).rejects.toThrow(
      /--role: /,
    );
    await expect(
      provisionCli(cloud.dataDir, ['user', 'add', 'Not Valid', '--role', 'viewer']),
    ).rejects.toThrow(/username: 1 to 64 characters/);
    const file = join(cloud.dataDir, 'short');
    await writeFile(file, 'short\n');
    await expect(
      provisionCli(cloud.dataDir, ['user', 'add', 'y', '--role', 'viewer', '--password-file', file]),
    ).rejects.toThrow(/--password-file .*: at least 10 characters/);
    await expect(provisionCli(cloud.dataDir, ['user', 'reset', 'nobody'])).rejects.toThrow(
      /user nobody does not exist/,
    );
    await expect(provisionCli(cloud.dataDir, ['user', 'add', 'ops', '--role', 'viewer'])).rejects.toThrow(
      /user ops exists/,
    );
  });
});
