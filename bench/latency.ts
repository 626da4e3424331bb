import mqtt from 'mqtt';
import type { FleetFile } from '../shared/fleet.ts';
import { GENT } from '../simulators/fleet.ts';
import { onCleanup } from './cleanup.ts';
import { ingestPhase } from './ingest.ts';
import type { LoadSpec } from './load-worker.ts';
import type { Platform } from './platform.ts';
import { probeKind, telemetryTopic } from './readings.ts';
import { quantile, say, sleep } from './util.ts';

/**
 * Publish-to-stored latency under a steady background load (open loop at `spec.ratePerS`). A prober,
 * in this process (its own clock, otherwise idle), connects as one more gateway and every `everyMs`
 * publishes a batch of the same size whose readings carry a unique device timestamp. It polls
 * InfluxDB (`SELECT ... WHERE device = 'probe-000' AND time > last`) every `pollMs`: a probe's
 * latency is the time from its publish until the first poll answer that contains it (an upper bound;
 * resolution = one poll). Publish-to-PUBACK of the probes is recorded too.
 */
export interface LatencyOptions {
  probeGateway: string;
  everyMs: number;
  pollMs: number;
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

export async function latencyPhase(platform: Platform, spec: LoadSpec, options: LatencyOptions) {
  const gateway = options.probeGateway;
  const client = await mqtt.connectAsync(platform.mqttUrl, {
    clientId: gateway,
    username: gateway,
    password: platform.secrets.get(gateway),
    reconnectPeriod: 0,
  });
  const stopClient = onCleanup('latency prober', () => client.endAsync(true));
  const metrics = JSON.stringify(probeKind.metrics);
  const devices = probeIds(spec.batchSize);
  let lastTs = Date.now() - 60_000;
  let n = 0;
  const payload = (ts: number) =>
    `{"v":1,"gatewayId":"${gateway}","sentAt":"${new Date().toISOString()}","batchId":"probe-${spec.runId}-${n++}","readings":[${devices
      .map(
        (d) =>
          `{"deviceId":"${d}","kind":"${probeKind.kind}","ts":"${new Date(ts).toISOString()}","metrics":${metrics}}`,
      )
      .join(',')}]}`;
  const probes = new Map<number, { publishedAt: number; ackMs?: number; storedMs?: number }>();
  // Polls from the oldest probe not yet seen: batches are written to InfluxDB several at a time, so a
  // later probe can become visible before an earlier one.
  let lastSeen = lastTs;
  const poll = async () => {
    let from = lastSeen + 1;
    for (const [ts, probe] of probes) if (probe.storedMs === undefined) from = Math.min(from, ts);
    const series = await platform.influx.select(
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
    const probe = { publishedAt: performance.now() } as {
      publishedAt: number;
      ackMs?: number;
      storedMs?: number;
    };
    probes.set(ts, probe);
    client.publish(telemetryTopic(gateway), payload(ts), { qos: 1 }, (error) => {
      if (!error) probe.ackMs = performance.now() - probe.publishedAt;
    });
  };
  // Warm-up: the first probe batch is stored (the registry and InfluxDB have the probes) before measuring.
  sendProbe();
  const warmUntil = Date.now() + 30_000;
  while ([...probes.values()].some((p) => p.storedMs === undefined)) {
    if (Date.now() > warmUntil) throw new Error('the first probe batch was not stored within 30 s');
    await sleep(options.pollMs);
    await poll();
  }
  probes.clear();
  const phaseStart = performance.now();
  let polling = true;
  const poller = (async () => {
    while (polling) {
      await sleep(options.pollMs);
      await poll().catch((error: Error) => say(`latency: poll failed: ${error.message}`));
    }
  })();
  const timer = setInterval(sendProbe, options.everyMs);
  // Probes stop with the background load, so that the journal can drain at the end.
  const probesEnd = setTimeout(() => clearInterval(timer), spec.durationS * 1000);
  const probeShare = (spec.batchSize * 1000) / options.everyMs;
  say(
    `latency: background load ${Math.round(spec.ratePerS)} readings/s + probes ${Math.round(probeShare)} readings/s`,
  );
  let background: Awaited<ReturnType<typeof ingestPhase>>;
  try {
    background = await ingestPhase(platform, spec, 'latency');
  } finally {
    clearInterval(timer);
    clearTimeout(probesEnd);
  }
  const deadline = Date.now() + 30_000;
  while ([...probes.values()].some((p) => p.storedMs === undefined) && Date.now() < deadline) await sleep(50);
  polling = false;
  await poller;
  await stopClient();
  const all = [...probes.values()];
  const stored = all.flatMap((p) => (p.storedMs === undefined ? [] : [p.storedMs]));
  const acked = all.flatMap((p) => (p.ackMs === undefined ? [] : [p.ackMs]));
  return {
    ratePerS: spec.ratePerS + probeShare,
    probes: all.length,
    missing: all.length - stored.length,
    storedP50Ms: quantile(stored, 0.5),
    storedP99Ms: quantile(stored, 0.99),
    storedMaxMs: Math.max(...stored),
    /** The slowest probes: when they were published (s into the phase) and how long they took. */
    slowest: all
      .filter((p) => p.storedMs !== undefined)
      .sort((a, b) => (b.storedMs ?? 0) - (a.storedMs ?? 0))
      .slice(0, 5)
      .map((p) => ({
        atS: Math.round((p.publishedAt - phaseStart) / 100) / 10,
        ms: Math.round(p.storedMs ?? 0),
      })),
    ackP50Ms: quantile(acked, 0.5),
    ackP99Ms: quantile(acked, 0.99),
    pollMs: options.pollMs,
    background,
  };
}

export type LatencyResult = Awaited<ReturnType<typeof latencyPhase>>;
