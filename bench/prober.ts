import mqtt from 'mqtt';
import type { InfluxConnection } from '../cloud/storage/influx.ts';
import type { FleetFile } from '../shared/fleet.ts';
import { GENT } from '../simulators/fleet.ts';
import { onCleanup } from './cleanup.ts';
import { probeKind, telemetryTopic } from './readings.ts';
import { quantile, say, sleep } from './util.ts';

/**
 * Publish-to-stored latency, seen from a gateway: the prober, in the benchmark's process (its own
 * clock, otherwise idle), connects as a provisioned gateway and every `everyMs` publishes a batch of
 * `batchSize` readings whose device timestamp is unique. It polls InfluxDB (`SELECT … WHERE device =
 * 'probe-000' AND time >= oldest probe not yet seen`) every `pollMs`: a probe's latency is the time
 * from its publish until the first poll answer that holds it (an upper bound; resolution = one poll).
 * Batches reach InfluxDB several at a time, so a later probe can be visible before an earlier one.
 * Publish-to-PUBACK of the probes is recorded too.
 */
export interface ProberOptions {
  mqttUrl: string;
  gateway: string;
  secret: string | undefined;
  /** The database the prober's gateway's readings land in. */
  influx: InfluxConnection;
  batchSize: number;
  everyMs: number;
  pollMs: number;
  /** Makes batch ids unique across runs. */
  runId: string;
}

const probeIds = (batchSize: number) =>
  Array.from({ length: batchSize }, (_, i) => `probe-${String(i).padStart(3, '0')}`);

/** The prober's gateway and devices, provisioned like every other (the cloud refuses devices it does not list). */
export function probeFleet(probeGateway: string, batchSize: number): FleetFile {
  const place = { district: 'bench', location: GENT.location };
  return {
    city: GENT,
    gateways: [{ id: probeGateway, ...place }],
    devices: probeIds(batchSize).map((id) => ({
      id,
      kind: probeKind.kind,
      gatewayId: probeGateway,
      ...place,
    })),
  };
}

interface Probe {
  publishedAt: number;
  ackMs?: number;
  storedMs?: number;
}

/**
 * Connects, waits until a first probe batch is stored (the registry and InfluxDB have the probes),
 * then probes until `stopSending`; `finish` waits (up to 30 s) for the probes still on their way and
 * returns the figures.
 */
export async function startProber(options: ProberOptions) {
  const { gateway, influx } = options;
  const client = await mqtt.connectAsync(options.mqttUrl, {
    clientId: gateway,
    username: gateway,
    password: options.secret,
    reconnectPeriod: 0,
  });
  const stopClient = onCleanup(`prober ${gateway}`, () => client.endAsync(true));
  const metrics = JSON.stringify(probeKind.metrics);
  const devices = probeIds(options.batchSize);
  let lastTs = Date.now() - 60_000;
  let n = 0;
  const payload = (ts: number) =>
    `{"v":1,"gatewayId":"${gateway}","sentAt":"${new Date().toISOString()}","batchId":"probe-${options.runId}-${n++}","readings":[${devices
      .map(
        (d) =>
          `{"deviceId":"${d}","kind":"${probeKind.kind}","ts":"${new Date(ts).toISOString()}","metrics":${metrics}}`,
      )
      .join(',')}]}`;
  const probes = new Map<number, Probe>();
  let lastSeen = lastTs;
  const poll = async () => {
    let from = lastSeen + 1;
    for (const [ts, probe] of probes) if (probe.storedMs === undefined) from = Math.min(from, ts);
    const series = await influx.select(
      `SELECT "${probeKind.metric}" FROM "${probeKind.kind}" WHERE "device" = 'probe-000' AND time >= ${from}ms`,
    );
    const answeredAt = performance.now();
    for (const [time] of series[0]?.values ?? []) {
      const probe = probes.get(Number(time));
      if (probe && probe.storedMs === undefined) probe.storedMs = answeredAt - probe.publishedAt;
      lastSeen = Math.max(lastSeen, Number(time));
    }
  };
  const sendProbe = () => {
    const ts = Math.max(Date.now() - 1_000, lastTs + 1);
    lastTs = ts;
    const probe: Probe = { publishedAt: performance.now() };
    probes.set(ts, probe);
    client.publish(telemetryTopic(gateway), payload(ts), { qos: 1 }, (error) => {
      if (!error) probe.ackMs = performance.now() - probe.publishedAt;
    });
  };
  const unstored = () => [...probes.values()].some((p) => p.storedMs === undefined);
  sendProbe();
  const warmUntil = Date.now() + 30_000;
  while (unstored()) {
    if (Date.now() > warmUntil) throw new Error('the first probe batch was not stored within 30 s');
    await sleep(options.pollMs);
    await poll();
  }
  probes.clear();
  const startedAt = performance.now();
  let polling = true;
  let failing = false;
  const poller = (async () => {
    while (polling) {
      await sleep(options.pollMs);
      // Said once per run of failures (InfluxDB down in the peer section's outage), not every poll.
      await poll().then(
        () => {
          failing = false;
        },
        (error: Error) => {
          if (!failing) say(`prober: poll failed: ${error.message}`);
          failing = true;
        },
      );
    }
  })();
  const timer = setInterval(sendProbe, options.everyMs);
  return {
    /** Readings per second the probes add. */
    readingsPerS: (options.batchSize * 1000) / options.everyMs,
    stopSending: () => clearInterval(timer),
    async finish() {
      clearInterval(timer);
      const deadline = Date.now() + 30_000;
      while (unstored() && Date.now() < deadline) await sleep(50);
      polling = false;
      await poller;
      await stopClient();
      const all = [...probes.values()];
      const stored = all.flatMap((p) => (p.storedMs === undefined ? [] : [p.storedMs]));
      const acked = all.flatMap((p) => (p.ackMs === undefined ? [] : [p.ackMs]));
      return {
        probes: all.length,
        missing: all.length - stored.length,
        storedP50Ms: quantile(stored, 0.5),
        storedP99Ms: quantile(stored, 0.99),
        storedMaxMs: Math.max(...stored),
        /** The slowest probes: when they were published (s after the start) and how long they took. */
        slowest: all
          .filter((p) => p.storedMs !== undefined)
          .sort((a, b) => (b.storedMs ?? 0) - (a.storedMs ?? 0))
          .slice(0, 5)
          .map((p) => ({
            atS: Math.round((p.publishedAt - startedAt) / 100) / 10,
            ms: Math.round(p.storedMs ?? 0),
          })),
        ackP50Ms: quantile(acked, 0.5),
        ackP99Ms: quantile(acked, 0.99),
        pollMs: options.pollMs,
      };
    },
  };
}

export type ProbeResult = Awaited<ReturnType<Awaited<ReturnType<typeof startProber>>['finish']>>;
