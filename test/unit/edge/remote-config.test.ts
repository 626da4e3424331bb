import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pino } from 'pino';
import { afterAll, describe, expect, it } from 'vitest';
import { EdgeConfigError } from '../../../edge/config.ts';
import { RemoteConfig } from '../../../edge/remote-config.ts';
import { type ConfigStatus, configStatus, type GatewayConfig } from '../../../shared/messages.ts';
import { GATEWAY, TS } from '../fixtures.ts';

const NOW = new Date(TS);
const log = pino({ level: 'silent' });

const dir = mkdtempSync(join(tmpdir(), 'edge-remote-config-test-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

let counter = 0;
const freshPath = () => join(dir, `remote-config-${++counter}.json`);

/** Refuses a configuration whose drivers name the type `broken`, as the agent refuses a bad entry. */
function applyOrRefuse(applied: GatewayConfig[], config: GatewayConfig): void {
  const index = config.drivers?.findIndex((d) => d.type === 'broken') ?? -1;
  if (index >= 0)
    throw new EdgeConfigError(`drivers[${index}] (broken): no such driver`, {
      fields: [`drivers.${index}.type`],
    });
  applied.push(config);
}

function setup(path = freshPath()) {
  const applied: GatewayConfig[] = [];
  const statuses: ConfigStatus[] = [];
  const remote = new RemoteConfig({
    gatewayId: GATEWAY,
    path,
    log,
    now: () => NOW,
    apply: (config) => applyOrRefuse(applied, config),
    sendStatus: (status) => statuses.push(status),
  });
  const handle = (message: unknown) =>
    remote.handle(Buffer.from(typeof message === 'string' ? message : JSON.stringify(message)));
  return { remote, handle, applied, statuses, path };
}

const config = (version: number, extra: Record<string, unknown> = {}) => ({
  v: 1,
  version,
  reportingIntervalS: 60,
  deadband: { activePower: 0.5 },
  maxSilenceS: 600,
  ...extra,
});

const applied = (version: number): ConfigStatus => ({
  v: 1,
  gatewayId: GATEWAY,
  version,
  status: 'applied',
  ts: TS,
});
const saved = (path: string) => JSON.parse(readFileSync(path, 'utf8'));

describe('RemoteConfig', () => {
  it('has version 0 before any configuration', () => {
    expect(setup().remote.version).toBe(0);
  });

  it('applies, saves and confirms a higher version', () => {
    const { remote, handle, applied: calls, statuses, path } = setup();
    handle(config(1));
    expect(calls).toEqual([config(1)]);
    expect(saved(path)).toEqual(config(1));
    expect(statuses).toEqual([applied(1)]);
    expect(configStatus.safeParse(statuses[0]).success).toBe(true);
    expect(remote.version).toBe(1);

    handle(config(3, { reportingIntervalS: 30 }));
    expect(calls).toEqual([config(1), config(3, { reportingIntervalS: 30 })]);
    expect(saved(path)).toEqual(config(3, { reportingIntervalS: 30 }));
    expect(statuses).toEqual([applied(1), applied(3)]);
    expect(remote.version).toBe(3);
  });

  it('applies the configuration with its defaults filled in', () => {
    const { handle, applied: calls, path } = setup();
    handle({ v: 1, version: 2, reportingIntervalS: 120 });
    const full = { v: 1, version: 2, reportingIntervalS: 120, deadband: {}, maxSilenceS: 900 };
    expect(calls).toEqual([full]);
    expect(saved(path)).toEqual(full);
  });

  it('ignores the same or a lower version, as the retained message comes again on every connect', () => {
    const { remote, handle, applied: calls, statuses, path } = setup();
    handle(config(5));
    handle(config(5));
    handle(config(5, { reportingIntervalS: 10 }));
    handle(config(4, { reportingIntervalS: 10 }));
    expect(calls).toEqual([config(5)]);
    expect(statuses).toEqual([applied(5)]);
    expect(saved(path)).toEqual(config(5));
    expect(remote.version).toBe(5);
  });

  it('rejects an invalid configuration naming the field, when its version is readable', () => {
    const { remote, handle, applied: calls, statuses, path } = setup();
    handle(config(2, { deadband: { activePower: -1 } }));
    expect(calls).toEqual([]);
    expect(existsSync(path)).toBe(false);
    expect(remote.version).toBe(0);
    expect(statuses).toHaveLength(1);
    expect(statuses[0]).toMatchObject({ v: 1, gatewayId: GATEWAY, version: 2, status: 'rejected', ts: TS });
    expect(statuses[0]?.invalidFields).toEqual(['deadband.activePower']);
    expect(configStatus.safeParse(statuses[0]).success).toBe(true);
  });

  it('counts an unknown field and names a bad interval in the rejection', () => {
    const { handle, statuses } = setup();
    handle(config(2, { heartbeatIntervalS: 30 }));
    handle(config(3, { reportingIntervalS: 0 }));
    expect(statuses.map((s) => [s.version, s.status])).toEqual([
      [2, 'rejected'],
      [3, 'rejected'],
    ]);
    expect(statuses[0]?.invalidFields).toEqual(['heartbeatIntervalS']);
    expect(statuses[1]?.invalidFields).toEqual(['reportingIntervalS']);
  });

  it('keeps the configuration in force when a newer one is rejected', () => {
    const { remote, handle, applied: calls, path } = setup();
    handle(config(1));
    handle(config(2, { maxSilenceS: 0 }));
    expect(calls).toEqual([config(1)]);
    expect(saved(path)).toEqual(config(1));
    expect(remote.version).toBe(1);
  });

  it('rejects a configuration the agent refuses (a driver entry), naming its fields, and keeps the one in force', () => {
    const { remote, handle, applied: calls, statuses, path } = setup();
    const drivers = [{ type: 'simulated' }, { type: 'broken', host: '10.0.0.7' }];
    handle(config(1, { drivers: [{ type: 'simulated' }] }));
    handle(config(2, { drivers }));
    expect(calls).toEqual([config(1, { drivers: [{ type: 'simulated' }] })]);
    expect(saved(path)).toEqual(config(1, { drivers: [{ type: 'simulated' }] }));
    expect(remote.version).toBe(1);
    expect(statuses).toEqual([
      applied(1),
      { ...applied(2), status: 'rejected', invalidFields: ['drivers.1.type'] },
    ]);
    expect(configStatus.safeParse(statuses[1]).success).toBe(true);
  });

  it('ignores a saved configuration the agent refuses at start-up', () => {
    const path = freshPath();
    writeFileSync(path, JSON.stringify(config(3, { drivers: [{ type: 'broken' }] })));
    const { remote, applied: calls } = setup(path);
    remote.restore();
    expect(calls).toEqual([]);
    expect(remote.version).toBe(0);
  });

  it('names at most the 20 fields the contract allows, each a plain dotted path', () => {
    const { handle, statuses } = setup();
    const deadband = Object.fromEntries(Array.from({ length: 40 }, (_, i) => [`metric${i}`, -1]));
    handle(config(2, { deadband: { ...deadband, 'a b\n"c"': 1 } }));
    expect(statuses[0]?.status).toBe('rejected');
    expect(statuses[0]?.invalidFields).toHaveLength(20);
    expect(statuses[0]?.invalidFields?.every((field) => /^[A-Za-z0-9_.]+$/.test(field))).toBe(true);
    expect(configStatus.safeParse(statuses[0]).success).toBe(true);
  });

  it.each([
    ['not JSON', 'not json'],
    ['a repeated key', JSON.stringify(config(2)).replace('"version":2', '"version":2,"version":3')],
    ['JSON null', 'null'],
    ['version 0', config(0)],
    ['a negative version', config(-1)],
    ['a fractional version', config(1.5)],
    ['a version as a string', config(1, { version: '2' })],
    ['no version', { v: 1, reportingIntervalS: 60 }],
  ])('sends nothing for %s, whose version cannot be confirmed', (_, message) => {
    const { remote, handle, applied: calls, statuses, path } = setup();
    handle(message);
    expect(calls).toEqual([]);
    expect(statuses).toEqual([]);
    expect(existsSync(path)).toBe(false);
    expect(remote.version).toBe(0);
  });

  it('restores the saved configuration after a restart without confirming it again', () => {
    const first = setup();
    first.handle(config(4));
    const second = setup(first.path);
    expect(second.remote.version).toBe(0);
    second.remote.restore();
    expect(second.applied).toEqual([config(4)]);
    expect(second.statuses).toEqual([]);
    expect(second.remote.version).toBe(4);
    second.handle(config(4));
    expect(second.applied).toHaveLength(1);
    second.handle(config(5));
    expect(second.applied).toEqual([config(4), config(5)]);
    expect(second.statuses).toEqual([applied(5)]);
  });

  it('restores nothing when no configuration was saved', () => {
    const { remote, applied: calls } = setup();
    remote.restore();
    expect(calls).toEqual([]);
    expect(remote.version).toBe(0);
  });

  it('ignores a saved configuration that does not pass the schema', () => {
    const path = freshPath();
    writeFileSync(path, JSON.stringify(config(0)));
    const { remote, applied: calls, statuses } = setup(path);
    remote.restore();
    expect(calls).toEqual([]);
    expect(statuses).toEqual([]);
    expect(remote.version).toBe(0);
  });
});
