import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { workerConfig } from '../../cloud/cluster/worker-config.ts';
import { loadCloudConfig } from '../../cloud/config.ts';

/**
 * The cluster profile of docker-compose.yml (docs/scale-out.md), read, not run (no Docker engine
 * here; compose.test.ts checks the whole file: files, variables, ports, start order): the nodes
 * are in cluster mode on the nats service, HAProxy balances exactly the nodes' MQTT ports, the
 * workers write where the nodes' tenants are read, and NATS flushes every write.
 */
const root = fileURLToPath(new URL('../../', import.meta.url));
const compose = parse(readFileSync(join(root, 'docker-compose.yml'), 'utf8')) as {
  services: Record<
    string,
    { profiles?: string[]; environment?: Record<string, string | number>; command?: string[] }
  >;
};
const envExample = new Map(
  readFileSync(join(root, '.env.example'), 'utf8')
    .split('\n')
    .filter((line) => /^[A-Z_]+=/.test(line))
    .map((line): [string, string] => [line.slice(0, line.indexOf('=')), line.slice(line.indexOf('=') + 1)]),
);
/** The service's environment with the example .env's values (`${VAR:?…}` and `${VAR:-default}`). */
function resolvedEnv(name: string): Record<string, string> {
  const environment = compose.services[name]?.environment ?? {};
  return Object.fromEntries(
    Object.entries(environment).map(([key, value]) => [
      key,
      `${value}`.replace(
        /\$\{([A-Z_]+)(?::[-?]([^}]*))?\}/g,
        (_, variable: string, fallback = '') => envExample.get(variable) ?? fallback,
      ),
    ]),
  );
}
const nodes = ['node-1', 'node-2'];
const workers = ['worker-1', 'worker-2'];

describe('docker-compose.yml, --profile cluster', () => {
  it('puts NATS, PostgreSQL, HAProxy, two nodes and two workers in the cluster profile only', () => {
    for (const name of ['nats', 'postgres', 'haproxy', ...nodes, ...workers])
      expect(compose.services[name]?.profiles, name).toEqual(['cluster']);
    expect(compose.services.cloud?.profiles).toBeUndefined();
  });

  it('runs the nodes in cluster mode on the nats service, with their own data and the shared credentials', () => {
    for (const name of nodes) {
      const env = resolvedEnv(name);
      const config = loadCloudConfig(env);
      expect(config.NATS_URL, name).toBe('nats://nats:4222');
      expect(config.CREDENTIALS_FILE, name).toBe('/credentials/gateway-credentials.json');
      expect(new URL(env.DATABASE_URL ?? '').host, name).toBe('postgres:5432');
      expect(env.INFLUX_DATABASE).toBe(resolvedEnv('cloud').INFLUX_DATABASE);
    }
  });

  it('runs workers that read the nodes stream and write the InfluxDB the nodes read', () => {
    const node = loadCloudConfig(resolvedEnv('node-1'));
    for (const name of workers) {
      expect(compose.services[name]?.command).toEqual(['node', 'cloud/worker-main.ts']);
      const worker = workerConfig.parse(resolvedEnv(name));
      expect(worker.NATS_URL).toBe(node.NATS_URL);
      expect(worker.JETSTREAM_STREAM).toBe(node.JETSTREAM_STREAM);
      expect(worker.JETSTREAM_SUBJECT_PREFIX).toBe(node.JETSTREAM_SUBJECT_PREFIX);
      expect([worker.INFLUX_URL, worker.INFLUX_DATABASE, worker.INFLUX_ORG]).toEqual([
        node.INFLUX_URL,
        node.INFLUX_DATABASE,
        node.INFLUX_ORG,
      ]);
    }
  });

  it('balances MQTT over TCP across exactly the two nodes, on the port they listen on', () => {
    const cfg = readFileSync(join(root, 'provisioning', 'cluster', 'haproxy.cfg'), 'utf8');
    expect(cfg).toMatch(/^\s*mode tcp$/m);
    const servers = [...cfg.matchAll(/^\s*server (\S+) (\S+):(\d+) check/gm)].map((m) => [m[1], m[2], m[3]]);
    const mqttPort = `${resolvedEnv('node-1').MQTT_PORT}`;
    expect(servers).toEqual(nodes.map((n) => [n, n, mqttPort]));
    expect(cfg).toMatch(/^\s*bind :1883$/m);
  });

  it('has JetStream flush every write before confirming it', () => {
    const conf = readFileSync(join(root, 'provisioning', 'cluster', 'nats.conf'), 'utf8');
    expect(conf).toMatch(/jetstream \{[^}]*sync_interval: always/s);
    expect(conf).toMatch(/store_dir: \/data/);
  });
});
