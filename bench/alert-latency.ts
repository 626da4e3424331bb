import { mkdir, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { connectAsync } from 'mqtt';
import { pino } from 'pino';
import { issueCredential } from '../cloud/broker/credentials.ts';
import { Cloud } from '../cloud/cloud.ts';
import { loadCloudConfig } from '../cloud/config.ts';
import { connectInflux } from '../cloud/storage/influx.ts';
import { startLocalInfluxd } from '../cloud/storage/local-influxd.ts';
import { gatewayTopic } from '../shared/topics.ts';
import { generateFleet } from '../simulators/fleet.ts';
import { probeKind } from './readings.ts';

/**
 * Publish-to-alert latency through the whole platform: a gateway publishes (MQTT, QoS 1) a reading
 * that breaks a rule, and the alert is looked for over the REST API (polled every 2 ms, so figures
 * carry up to 2 ms of polling). The cloud runs with `rules` rules and `devices` registered devices.
 */
export async function alertLatencyBench(options: {
  rules: number;
  devices: number;
  samples: number;
  say: (line: string) => void;
}) {
  const { say } = options;
  const dir = join(tmpdir(), `city-alert-bench-${process.pid}`);
  await mkdir(join(dir, 'fleet'), { recursive: true });
  await mkdir(join(dir, 'rules'), { recursive: true });
  const fleet = generateFleet({ seed: 3, devices: options.devices, devicesPerGateway: 1_000 });
  await writeFile(join(dir, 'fleet', 'fleet.json'), JSON.stringify(fleet));
  const districts = [...new Set(fleet.devices.map((d) => d.district))];
  const fillerMetrics = probeKind.ruleMetrics.slice(0, 3);
  const threshold = (probeKind.normal + probeKind.alarming) / 2;
  const filler = Array.from({ length: options.rules - 1 }, (_, i) => ({
    id: `filler-${i}`,
    name: `filler ${i}`,
    severity: 'info',
    target: { kind: probeKind.kind, districts: [districts[i % districts.length]] },
    condition: { type: 'threshold', metric: fillerMetrics[i % fillerMetrics.length], op: '>', value: 1e9 },
  }));
  const trigger = {
    id: 'trigger',
    name: 'trigger',
    severity: 'major',
    target: { kind: probeKind.kind },
    condition: { type: 'threshold', metric: probeKind.metric, op: '>', value: threshold },
  };
  await writeFile(join(dir, 'rules', 'bench.json'), JSON.stringify([...filler, trigger]));
  const influxd = await startLocalInfluxd(join(dir, 'influxdb'));
  const token = 'bench-admin-token-0123456789abcdef';
  const config = loadCloudConfig({
    HTTP_PORT: '0',
    HTTP_HOST: '127.0.0.1',
    MQTT_PORT: '0',
    MQTT_HOST: '127.0.0.1',
    DATA_DIR: join(dir, 'data'),
    FLEET_DIR: join(dir, 'fleet'),
    // The benchmark's rules only: no kind's default rules (none under rules/<kind>/rules.json).
    RULES_DIR: join(dir, 'rules'),
    KIND_RULES_DIR: join(dir, 'rules'),
    INFLUX_URL: influxd.url,
    ADMIN_TOKEN: token,
    LOG_LEVEL: 'silent',
    API_REQUESTS_PER_MINUTE: '1000000',
  });
  say(`starting the cloud with ${options.devices} devices and ${options.rules} rules`);
  const cloud = new Cloud({
    config,
    log: pino({ level: 'silent' }),
    influx: await connectInflux({ url: influxd.url, token: '', database: 'city', org: '' }),
  });
  await cloud.start();
  const gateway = fleet.gateways[0]?.id as string;
  const probes = fleet.devices.filter((d) => d.gatewayId === gateway && d.kind === probeKind.kind);
  const client = await connectAsync(`mqtt://127.0.0.1:${cloud.mqttPort}`, {
    clientId: gateway,
    username: gateway,
    password: await issueCredential(config.CREDENTIALS_FILE, gateway),
    reconnectPeriod: 0,
  });
  const api = `http://127.0.0.1:${cloud.httpPort}/api/v1/alerts?rule=trigger&state=open&device=`;
  const latencies: number[] = [];
  try {
    for (let i = 0; i < Math.min(options.samples, probes.length); i++) {
      const device = (probes[i] as { id: string }).id;
      const ts = new Date().toISOString();
      const started = performance.now();
      await client.publishAsync(
        gatewayTopic(gateway, 'telemetry'),
        JSON.stringify({
          v: 1,
          gatewayId: gateway,
          sentAt: ts,
          batchId: `a${i}`,
          readings: [
            {
              deviceId: device,
              kind: probeKind.kind,
              ts,
              metrics: { [probeKind.metric]: probeKind.alarming },
            },
          ],
        }),
        { qos: 1 },
      );
      for (;;) {
        const res = await fetch(`${api}${encodeURIComponent(device)}`, {
          headers: { authorization: `Bearer ${token}` },
        });
        if (((await res.json()) as { total: number }).total > 0) break;
        await new Promise((r) => setTimeout(r, 2));
      }
      latencies.push(performance.now() - started);
      if (i % 50 === 0) say(`  ${i} alerts measured…`);
    }
  } finally {
    await client.endAsync(true);
    await cloud.stop();
    await influxd.stop();
    await rm(dir, { recursive: true, force: true });
  }
  latencies.sort((a, b) => a - b);
  const pick = (q: number) =>
    Math.round((latencies[Math.min(latencies.length - 1, Math.floor(latencies.length * q))] as number) * 10) /
    10;
  return {
    rules: options.rules,
    devices: options.devices,
    samples: latencies.length,
    publishToAlertMs: { p50: pick(0.5), p99: pick(0.99) },
  };
}

if (import.meta.url === `file://${process.argv[1]}`) {
  const quick = process.argv.includes('--quick');
  const result = await alertLatencyBench({
    rules: 10_000,
    devices: quick ? 20_000 : 100_000,
    samples: quick ? 100 : 300,
    say: (line) => console.log(`[alerts] ${line}`),
  });
  console.log(JSON.stringify(result, null, 2));
}
