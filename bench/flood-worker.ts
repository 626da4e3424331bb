import { createConnection } from 'node:net';
import { MqttClient } from 'mqtt';
import { type BenchDevice, ReadingSource, telemetryTopic } from './readings.ts';

/**
 * A tenant flooding the platform, run as a child process (bench/flood.ts forks it) so that its CPU is
 * its own. Each gateway (mqtt.js, client id = username = gateway id) publishes QoS 1 TelemetryBatch
 * messages of its devices on a fixed schedule (open loop: `messagesPerS` over all gateways, whatever
 * the broker answers), with at most `window` awaiting PUBACK; a message due while its gateway is full
 * or disconnected is not sent (counted as skipped). The broker closes a connection whose message it
 * refuses; the gateway then reconnects as the edge agent does: after 20 ms, doubling up to 5 s, back
 * to 20 ms once a message is acknowledged. Gateway i connects from 127.0.0.(10 + i) (the broker's URL
 * must be on loopback): as in a town, each gateway has an address of its own, so each has its own
 * connection-rate budget (MQTT_CONNECTIONS_PER_MINUTE) and the quiet town's gateway, on 127.0.0.1,
 * shares none of it.
 */
export interface FloodSpec {
  url: string;
  gateways: { id: string; secret: string; devices: BenchDevice[] }[];
  batchSize: number;
  /** Messages per second over all gateways. */
  messagesPerS: number;
  window: number;
  durationS: number;
  tsBase: number;
  /** Batch ids are unique per gateway across runs: `<runId>-<n>`. */
  runId: string;
}

export interface FloodCounts {
  sent: number;
  acked: number;
  skipped: number;
  /** Connections the broker closed while they were up. */
  disconnects: number;
  /** Connection attempts that did not get in (refused, or closed before CONNACK). */
  connectFailures: number;
}

export interface FloodProgress extends FloodCounts {
  type: 'progress';
}

export interface FloodResult extends FloodCounts {
  type: 'done';
  cpuS: number;
}

interface Connection {
  client: MqttClient;
  up: boolean;
  inFlight: number;
}

interface Gateway {
  id: string;
  secret: string;
  source: ReadingSource;
  connection?: Connection;
  backoffMs: number;
  n: number;
}

const firstBackoffMs = 20;
const lastBackoffMs = 5_000;

async function run(spec: FloodSpec): Promise<FloodResult> {
  const counts: FloodCounts = { sent: 0, acked: 0, skipped: 0, disconnects: 0, connectFailures: 0 };
  let stopped = false;
  const { hostname, port } = new URL(spec.url);
  const connect = (g: Gateway) => {
    const localAddress = `127.0.0.${10 + gateways.indexOf(g)}`;
    const client = new MqttClient(
      () => createConnection({ host: hostname, port: Number(port), localAddress }),
      {
        clientId: g.id,
        username: g.id,
        password: g.secret,
        reconnectPeriod: 0,
        clean: true,
        keepalive: 60,
        protocolVersion: 4,
      },
    );
    const connection: Connection = { client, up: false, inFlight: 0 };
    g.connection = connection;
    client.on('error', () => undefined);
    client.once('connect', () => {
      connection.up = true;
    });
    client.once('close', () => {
      client.end(true);
      if (stopped) return;
      if (connection.up) counts.disconnects++;
      else counts.connectFailures++;
      connection.up = false;
      setTimeout(() => connect(g), g.backoffMs);
      g.backoffMs = Math.min(lastBackoffMs, g.backoffMs * 2);
    });
  };
  const gateways: Gateway[] = spec.gateways.map((g) => ({
    id: g.id,
    secret: g.secret,
    source: new ReadingSource(g.devices, spec.tsBase),
    backoffMs: firstBackoffMs,
    n: 0,
  }));
  for (const g of gateways) connect(g);
  const cpuStart = process.cpuUsage();
  const publish = (g: Gateway) => {
    const connection = g.connection;
    if (!connection?.up || connection.inFlight >= spec.window) {
      counts.skipped++;
      return;
    }
    connection.inFlight++;
    counts.sent++;
    const payload = g.source.batch(g.id, `${spec.runId}-${g.n++}`, spec.batchSize);
    connection.client.publish(telemetryTopic(g.id), payload, { qos: 1 }, (error) => {
      connection.inFlight--;
      if (error) return;
      counts.acked++;
      g.backoffMs = firstBackoffMs;
    });
  };
  const progress = setInterval(() => process.send?.({ type: 'progress', ...counts }), 1_000);
  const startedAt = performance.now();
  const perMs = spec.messagesPerS / 1000;
  let scheduled = 0;
  const ticker = setInterval(() => {
    const due = Math.floor((performance.now() - startedAt) * perMs) - scheduled;
    for (let i = 0; i < due; i++) publish(gateways[scheduled++ % gateways.length] as Gateway);
  }, 5);
  await new Promise((resolve) => setTimeout(resolve, spec.durationS * 1000));
  stopped = true;
  clearInterval(ticker);
  clearInterval(progress);
  const cpu = process.cpuUsage(cpuStart);
  await Promise.all(gateways.map((g) => g.connection?.client.endAsync(true).catch(() => undefined)));
  return { type: 'done', ...counts, cpuS: (cpu.user + cpu.system) / 1e6 };
}

process.once('message', (spec: FloodSpec) => {
  run(spec).then(
    (result) => process.send?.(result, undefined, {}, () => process.disconnect?.()),
    (e: Error) => {
      console.error(`flooder failed: ${e.message}`);
      process.exit(1);
    },
  );
});
