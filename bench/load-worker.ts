import mqtt, { type MqttClient } from 'mqtt';
import { type BenchDevice, ReadingSource, telemetryTopic } from './readings.ts';

/**
 * The load generator, run as a child process (bench/load.ts forks it) so that its CPU is its own and
 * the orchestrator stays responsive. Each connection is one simulated gateway (mqtt.js, client id =
 * username = gateway id) publishing TelemetryBatch messages of its own devices.
 *
 * Closed loop (no rate): each connection keeps `window` batches awaiting PUBACK and sends the next one
 * as soon as one is acknowledged: the maximum the broker sustains. Open loop (`ratePerS` readings/s):
 * batches leave on a fixed schedule whatever the acknowledgements do.
 */
export interface LoadSpec {
  url: string;
  gateways: { id: string; secret: string; devices: BenchDevice[] }[];
  batchSize: number;
  qos: 0 | 1;
  window: number;
  /** Readings per second over all connections; 0 = closed loop, as fast as acknowledgements allow. */
  ratePerS: number;
  durationS: number;
  tsBase: number;
  /** Batch ids are unique per gateway across runs: `<runId>-<n>`. */
  runId: string;
  /** Stops sending after this many batches (a burst: the whole load as fast as the broker acks it). */
  totalBatches?: number;
}

export interface LoadProgress {
  type: 'progress';
  sentBatches: number;
  ackedBatches: number;
}

export interface LoadResult {
  type: 'done';
  sentBatches: number;
  ackedBatches: number;
  ackedReadings: number;
  errors: string[];
  /** Wall-clock ms (Date.now) of the first publish and the last acknowledgement. */
  firstPublishAt: number;
  lastAckAt: number;
  /** Publish-to-PUBACK times of (up to 20,000 sampled) batches, ms. */
  ackMs: number[];
  cpuS: number;
}

interface Connection {
  id: string;
  client: MqttClient;
  source: ReadingSource;
  inFlight: number;
  n: number;
}

const send = (message: LoadProgress | LoadResult) => process.send?.(message);

async function run(spec: LoadSpec): Promise<LoadResult> {
  const errors: string[] = [];
  const error = (text: string) => {
    if (errors.length < 20) errors.push(text);
  };
  const connections: Connection[] = await Promise.all(
    spec.gateways.map(async (g) => {
      const client = await mqtt.connectAsync(spec.url, {
        clientId: g.id,
        username: g.id,
        password: g.secret,
        reconnectPeriod: 0,
        clean: true,
        keepalive: 60,
      });
      client.on('error', (e) => error(`${g.id}: ${e.message}`));
      client.on('close', () => {
        if (!done) error(`${g.id}: connection closed during the run`);
      });
      return { id: g.id, client, source: new ReadingSource(g.devices, spec.tsBase), inFlight: 0, n: 0 };
    }),
  );
  const cpuStart = process.cpuUsage();
  let done = false;
  let stopped = false;
  let sentBatches = 0;
  let ackedBatches = 0;
  let firstPublishAt = 0;
  let lastAckAt = 0;
  const ackMs: number[] = [];
  let settle: () => void = () => {};
  const settled = new Promise<void>((resolve) => {
    settle = resolve;
  });

  let allSent: () => void = () => {};
  const sentAll = new Promise<void>((resolve) => {
    allSent = resolve;
  });
  const publish = (c: Connection) => {
    if (stopped) return;
    if (spec.totalBatches !== undefined && sentBatches >= spec.totalBatches) {
      allSent();
      return;
    }
    const payload = c.source.batch(c.id, `${spec.runId}-${c.n++}`, spec.batchSize);
    const at = performance.now();
    if (firstPublishAt === 0) firstPublishAt = Date.now();
    c.inFlight++;
    sentBatches++;
    c.client.publish(telemetryTopic(c.id), payload, { qos: spec.qos }, (e) => {
      c.inFlight--;
      if (e) error(`${c.id}: ${e.message}`);
      else {
        ackedBatches++;
        lastAckAt = Date.now();
        if (ackMs.length < 20_000 || Math.random() < 0.05) {
          if (ackMs.length >= 20_000)
            ackMs[Math.floor(Math.random() * ackMs.length)] = performance.now() - at;
          else ackMs.push(performance.now() - at);
        }
      }
      // The next batch goes out on the next turn of the event loop: a QoS 0 callback can come back
      // synchronously, and a loop of those would starve the timers that end the run.
      if (!stopped && spec.ratePerS === 0) setImmediate(() => publish(c));
      else if (stopped && connections.every((x) => x.inFlight === 0)) settle();
    });
  };

  const progress = setInterval(() => send({ type: 'progress', sentBatches, ackedBatches }), 1_000);
  const startedAt = performance.now();
  let ticker: NodeJS.Timeout | undefined;
  if (spec.ratePerS === 0) {
    for (const c of connections) for (let i = 0; i < spec.window; i++) publish(c);
  } else {
    const batchesPerMs = spec.ratePerS / spec.batchSize / 1000;
    let next = 0;
    ticker = setInterval(() => {
      const due = Math.floor((performance.now() - startedAt) * batchesPerMs) - sentBatches;
      for (let i = 0; i < due; i++) publish(connections[next++ % connections.length] as Connection);
    }, 5);
  }
  let end: NodeJS.Timeout | undefined;
  await Promise.race([sentAll, new Promise((resolve) => (end = setTimeout(resolve, spec.durationS * 1000)))]);
  clearTimeout(end);
  stopped = true;
  clearInterval(ticker);
  if (connections.every((c) => c.inFlight === 0)) settle();
  const timeout = new Promise<void>((resolve) =>
    setTimeout(() => {
      error('timed out waiting for the last acknowledgements');
      resolve();
    }, 120_000).unref(),
  );
  await Promise.race([settled, timeout]);
  done = true;
  clearInterval(progress);
  const cpu = process.cpuUsage(cpuStart);
  await Promise.all(connections.map((c) => c.client.endAsync(true).catch(() => undefined)));
  return {
    type: 'done',
    sentBatches,
    ackedBatches,
    ackedReadings: ackedBatches * spec.batchSize,
    errors,
    firstPublishAt,
    lastAckAt,
    ackMs,
    cpuS: (cpu.user + cpu.system) / 1e6,
  };
}

process.once('message', (spec: LoadSpec) => {
  run(spec).then(
    (result) => process.send?.(result, undefined, {}, () => process.disconnect?.()),
    (e: Error) => {
      console.error(`load generator failed: ${e.message}`);
      process.exit(1);
    },
  );
});
