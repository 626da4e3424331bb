import { countStored } from './influx.ts';
import { startLoad } from './load.ts';
import type { LoadSpec } from './load-worker.ts';
import type { Platform } from './platform.ts';
import { watchMachine, watchProc } from './proc.ts';
import { int, mb, quantile, say, sleep } from './util.ts';

/** Device timestamps of one phase span at most this long from its base (keeps phases apart in COUNTs). */
export const phaseSpanMs = 12 * 3_600_000;

/**
 * Sustained end-to-end ingest: the load generator runs against the cloud (closed loop unless a rate
 * is given); then the benchmark waits until the cloud's journal is empty, i.e. InfluxDB confirmed
 * every accepted reading. Rate = readings acknowledged / (first publish .. all stored). A COUNT per
 * kind over the phase's device-time range then checks stored = sent.
 */
export async function ingestPhase(platform: Platform, spec: LoadSpec, label: string) {
  const cloud = watchProc(platform.pid);
  const influxd = watchProc(platform.influxd.pid);
  const machine = watchMachine();
  let journalPeak = 0;
  let sampling = true;
  const sampler = (async () => {
    while (sampling) {
      await sleep(2_000);
      const health = await platform.health().catch(() => undefined);
      if (!health) continue;
      journalPeak = Math.max(journalPeak, health.journal.lines);
      say(
        `${label}: cloud journal ${int(health.journal.lines)} lines, RSS ${mb(platform.proc()?.rssBytes ?? Number.NaN)}`,
      );
    }
  })();
  const load = startLoad(spec, label);
  const result = await load.result;
  const loadEnded = Date.now();
  say(
    `${label}: load done (${int(result.ackedReadings)} readings acknowledged); waiting for InfluxDB to hold them all`,
  );
  let drained = false;
  const drainDeadline = Date.now() + 300_000;
  while (!drained && Date.now() < drainDeadline) {
    const health = await platform.health().catch((error: Error) => {
      say(`${label}: the cloud did not answer /health (${error.message}); waiting`);
      return undefined;
    });
    journalPeak = Math.max(journalPeak, health?.journal.lines ?? 0);
    drained = health?.journal.lines === 0;
    if (!drained) await sleep(50);
  }
  const storedAt = Date.now();
  sampling = false;
  const cloudUsage = cloud.stop();
  const influxdUsage = influxd.stop();
  const machineCores = machine.stop();
  await sampler;
  let stored = await countStored(platform.influx, spec.tsBase, spec.tsBase + phaseSpanMs);
  for (let i = 0; i < 20 && stored < result.ackedReadings; i++) {
    await sleep(250);
    stored = await countStored(platform.influx, spec.tsBase, spec.tsBase + phaseSpanMs);
  }
  const seconds = (storedAt - result.firstPublishAt) / 1000;
  const sentReadings = result.sentBatches * spec.batchSize;
  return {
    /** Readings stored per second, first publish to all stored. */
    readingsPerS: stored / seconds,
    acceptedPerS: result.ackedReadings / ((result.lastAckAt - result.firstPublishAt) / 1000),
    sent: sentReadings,
    acked: result.ackedReadings,
    stored,
    lost: sentReadings - stored,
    zeroLoss: drained && stored === sentReadings && result.errors.length === 0,
    errors: result.errors,
    seconds,
    drainS: (storedAt - loadEnded) / 1000,
    ackP50Ms: quantile(result.ackMs, 0.5),
    ackP99Ms: quantile(result.ackMs, 0.99),
    journalPeak,
    cloud: cloudUsage,
    influxdCores: influxdUsage.cores,
    loadCores: result.cpuS / seconds,
    /** Busy cores of the whole machine during the phase (ours and anything else running). */
    machineCores,
  };
}

export type IngestResult = Awaited<ReturnType<typeof ingestPhase>>;
