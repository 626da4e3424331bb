import { chmodSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { EdgeConfigError, loadEdgeConfig } from '../../../edge/config.ts';

const dir = mkdtempSync(join(tmpdir(), 'edge-config-test-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

let counter = 0;
function configFile(content: unknown): string {
  const path = join(dir, `edge-${++counter}.json`);
  writeFileSync(path, typeof content === 'string' ? content : JSON.stringify(content));
  return path;
}

const minimal = {
  gatewayId: 'gw-centrum-01',
  mqtt: { url: 'mqtt://localhost:1883', password: 'from-file' },
  fleetFile: 'provisioning/fleet/demo-city.json',
  drivers: [{ type: 'simulated' }],
};

function edgeConfigError(env: Record<string, string | undefined>): EdgeConfigError {
  try {
    loadEdgeConfig(env);
  } catch (error) {
    expect(error).toBeInstanceOf(EdgeConfigError);
    return error as EdgeConfigError;
  }
  throw new Error('expected an EdgeConfigError');
}

describe('loadEdgeConfig', () => {
  it('parses a minimal file and fills in the defaults', () => {
    const config = loadEdgeConfig({ EDGE_CONFIG: configFile(minimal) });
    expect(config).toMatchObject({
      gatewayId: 'gw-centrum-01',
      mqtt: { url: 'mqtt://localhost:1883', password: 'from-file', keepaliveS: 30 },
      fleetFile: 'provisioning/fleet/demo-city.json',
      reportingIntervalS: 60,
      heartbeatIntervalS: 30,
      batch: { maxReadings: 500, maxInFlight: 16 },
      dataDir: './data/edge',
      queue: { maxReadings: 1_000_000, maxAgeS: 604_800, replayPerS: 2_000 },
      backoff: { initialMs: 1_000, maxMs: 60_000 },
      drivers: [{ type: 'simulated' }],
    });
    expect(config.mqtt).toEqual({ url: 'mqtt://localhost:1883', password: 'from-file', keepaliveS: 30 });
    expect(config.batch).toEqual({ maxReadings: 500, maxInFlight: 16 });
    expect(config.queue).toEqual({ maxReadings: 1_000_000, maxAgeS: 604_800, replayPerS: 2_000 });
    // A driver's settings are its factory's to check and complete (test/unit/edge/drivers.test.ts).
    expect(config.drivers).toEqual([{ type: 'simulated' }]);
  });

  it('fills in the defaults of a partly given queue, and keeps the drivers settings as given', () => {
    const drivers = [
      { type: 'simulated', stuckDevices: ['lamp-000001'], outages: { everyS: 600, forS: 60 } },
    ];
    const config = loadEdgeConfig({
      EDGE_CONFIG: configFile({ ...minimal, dataDir: '/var/lib/edge', queue: { maxAgeS: 3_600 }, drivers }),
    });
    expect(config.dataDir).toBe('/var/lib/edge');
    expect(config.queue).toEqual({ maxReadings: 1_000_000, maxAgeS: 3_600, replayPerS: 2_000 });
    expect(config.drivers).toEqual(drivers);
  });

  it('fills in the defaults of a partly given section', () => {
    const config = loadEdgeConfig({ EDGE_CONFIG: configFile({ ...minimal, batch: { maxReadings: 100 } }) });
    expect(config.batch).toEqual({ maxReadings: 100, maxInFlight: 16 });
  });

  it('lets EDGE_GATEWAY_SECRET and EDGE_MQTT_URL override the file', () => {
    const config = loadEdgeConfig({
      EDGE_CONFIG: configFile(minimal),
      EDGE_GATEWAY_SECRET: 'from-env',
      EDGE_MQTT_URL: 'mqtts://broker.example:8883',
    });
    expect(config.mqtt).toEqual({ url: 'mqtts://broker.example:8883', password: 'from-env', keepaliveS: 30 });
  });

  it('takes the password from the environment when the file has none', () => {
    const { password: _, ...mqtt } = minimal.mqtt;
    const path = configFile({ ...minimal, mqtt });
    expect(loadEdgeConfig({ EDGE_CONFIG: path, EDGE_GATEWAY_SECRET: 's3cret' }).mqtt.password).toBe('s3cret');
    expect(edgeConfigError({ EDGE_CONFIG: path }).message).toContain('mqtt.password');
  });

  it('takes TLS client files for mutual TLS, where the certificate stands in for the secret', () => {
    const tls = { caFile: 'ca.crt', certFile: 'gw.crt', keyFile: 'gw.key' };
    const path = configFile({ ...minimal, mqtt: { url: 'mqtt://localhost:1883', tls } });
    const config = loadEdgeConfig({ EDGE_CONFIG: path, EDGE_MQTT_URL: 'mqtts://broker.example:8883' });
    expect(config.mqtt).toEqual({ url: 'mqtts://broker.example:8883', tls, keepaliveS: 30 });
  });

  it.each([
    [
      'a plain URL',
      { url: 'mqtt://localhost:1883', tls: { caFile: 'ca.crt' }, password: 'x' },
      'mqtt.tls: TLS settings need an mqtts:// or wss:// URL',
    ],
    [
      'a certificate without its key',
      { url: 'mqtts://b:8883', tls: { certFile: 'gw.crt' } },
      'mqtt.tls: certFile and keyFile go together',
    ],
    [
      'neither secret nor certificate',
      { url: 'mqtts://b:8883', tls: { caFile: 'ca.crt' } },
      'mqtt.password: the gateway secret is required',
    ],
  ])('refuses TLS settings with %s', (_name, mqtt, message) => {
    expect(edgeConfigError({ EDGE_CONFIG: configFile({ ...minimal, mqtt }) }).message).toContain(message);
  });

  it('checks an overriding URL like one from the file', () => {
    const { message } = edgeConfigError({ EDGE_CONFIG: configFile(minimal), EDGE_MQTT_URL: 'http://x' });
    expect(message).toContain('mqtt.url');
  });

  it.each([
    ['gatewayId', { ...minimal, gatewayId: 'GW 1' }],
    ['batch.maxReadings', { ...minimal, batch: { maxReadings: 5_000 } }],
    ['mqtt.url', { ...minimal, mqtt: { ...minimal.mqtt, url: 'http://x' } }],
    ['mqtt.keepaliveS', { ...minimal, mqtt: { ...minimal.mqtt, keepaliveS: 2 } }],
    ['backoff.initialMs', { ...minimal, backoff: { initialMs: 1.5 } }],
    ['fleetFile', { ...minimal, fleetFile: '' }],
    ['reportingIntervalS', { ...minimal, reportingIntervalS: '60' }],
    ['dataDir', { ...minimal, dataDir: '' }],
    ['queue.maxReadings', { ...minimal, queue: { maxReadings: 0 } }],
    ['queue.maxAgeS', { ...minimal, queue: { maxAgeS: 0 } }],
    ['queue.replayPerS', { ...minimal, queue: { replayPerS: -1 } }],
    ['drivers', { ...minimal, drivers: [] }],
    ['drivers', { ...minimal, drivers: undefined }],
    ['drivers.0.type', { ...minimal, drivers: [{ seed: 1 }] }],
  ])('names the field %s when it is invalid', (field, content) => {
    const path = configFile(content);
    const { message } = edgeConfigError({ EDGE_CONFIG: path });
    expect(message).toContain(path);
    expect(message).toMatch(new RegExp(`(^|[ ;])${field.replace('.', '\\.')}: `));
  });

  it('rejects unknown fields, e.g. a misspelt option', () => {
    const { message } = edgeConfigError({
      EDGE_CONFIG: configFile({ ...minimal, heartbeatIntervalSec: 10 }),
    });
    expect(message).toContain('heartbeatIntervalSec');
  });

  it('rejects the simulation section of old configurations (now a driver entry of type simulated)', () => {
    const { message } = edgeConfigError({ EDGE_CONFIG: configFile({ ...minimal, simulation: { seed: 2 } }) });
    expect(message).toContain('simulation');
  });

  it('rejects an unknown field in the queue, e.g. the old option name', () => {
    const { message } = edgeConfigError({ EDGE_CONFIG: configFile({ ...minimal, queue: { maxItems: 10 } }) });
    expect(message).toMatch(/(^|[ ;])queue: .*maxItems/);
  });

  it('requires EDGE_CONFIG', () => {
    expect(edgeConfigError({}).message).toContain('EDGE_CONFIG');
    expect(edgeConfigError({ EDGE_CONFIG: '' }).message).toContain('EDGE_CONFIG');
  });

  it('reports a missing file with its path', () => {
    const path = join(dir, 'does-not-exist.json');
    const { message } = edgeConfigError({ EDGE_CONFIG: path });
    expect(message).toContain(`cannot read ${path}`);
    expect(message).toContain('ENOENT');
  });

  it('reports a file that is not JSON with its path', () => {
    const path = configFile('{ gatewayId: gw-1 }');
    expect(edgeConfigError({ EDGE_CONFIG: path }).message).toContain(`cannot read ${path}`);
  });

  it.skipIf(process.getuid?.() === 0)('reports an unreadable file with its path', () => {
    const path = configFile(minimal);
    chmodSync(path, 0o000);
    expect(edgeConfigError({ EDGE_CONFIG: path }).message).toMatch(
      new RegExp(`cannot read ${path}: .*EACCES`),
    );
  });

  it('reports a directory given as the file', () => {
    expect(edgeConfigError({ EDGE_CONFIG: dir }).message).toContain(`cannot read ${dir}`);
  });

  it('throws an EdgeConfigError naming the file when it is JSON but not an object', () => {
    for (const content of ['null', '[]', '42']) {
      const path = configFile(content);
      const error = edgeConfigError({ EDGE_CONFIG: path });
      expect(error).toBeInstanceOf(EdgeConfigError);
      expect(error.message).toContain(path);
    }
  });
});
