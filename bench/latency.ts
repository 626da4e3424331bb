import { ingestPhase } from './ingest.ts';
import type { LoadSpec } from './load-worker.ts';
import type { Platform } from './platform.ts';
import { startProber } from './prober.ts';
import { say } from './util.ts';

/**
 * Publish-to-stored latency under a steady background load (open loop at `spec.ratePerS`), measured
 * by a prober (bench/prober.ts) that publishes a batch of the same size every `everyMs` and polls
 * InfluxDB every `pollMs`.
 */
export interface LatencyOptions {
  probeGateway: string;
  everyMs: number;
  pollMs: number;
}

export async function latencyPhase(platform: Platform, spec: LoadSpec, options: LatencyOptions) {
  const prober = await startProber({
    mqttUrl: platform.mqttUrl,
    gateway: options.probeGateway,
    secret: platform.secrets.get(options.probeGateway),
    influx: platform.influx,
    batchSize: spec.batchSize,
    everyMs: options.everyMs,
    pollMs: options.pollMs,
    runId: spec.runId,
  });
  // Probes stop with the background load, so that the journal can drain at the end.
  const probesEnd = setTimeout(prober.stopSending, spec.durationS * 1000);
  say(
    `latency: background load ${Math.round(spec.ratePerS)} readings/s + probes ${Math.round(prober.readingsPerS)} readings/s`,
  );
  let background: Awaited<ReturnType<typeof ingestPhase>>;
  try {
    background = await ingestPhase(platform, spec, 'latency');
  } finally {
    prober.stopSending();
    clearTimeout(probesEnd);
  }
  return { ratePerS: spec.ratePerS + prober.readingsPerS, ...(await prober.finish()), background };
}

export type LatencyResult = Awaited<ReturnType<typeof latencyPhase>>;
