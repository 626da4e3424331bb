import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { issueCredentials } from '../cloud/broker/credentials.ts';
import { tenantDatabase } from '../cloud/tenants/database-name.ts';
import type { TenantUsage } from '../cloud/tenants/quotas.ts';
import type { FleetFile } from '../shared/fleet.ts';
import { GENT, generateFleet } from '../simulators/fleet.ts';
import { installCleanupHandlers, stopAll } from './cleanup.ts';
import { startFlood } from './flood.ts';
import { startPlatform } from './platform.ts';
import { probeFleet, startProber } from './prober.ts';
import { watchMachine, watchProc } from './proc.ts';
import type { BenchDevice } from './readings.ts';
import { int, round, say, sleep } from './util.ts';

/**
 * The noisy neighbour (issue 14): one cloud hosting two tenants. The quiet town reports normally (the
 * prober of bench/prober.ts: a batch of `probeBatch` readings every 100 ms, publish → stored measured
 * in its own InfluxDB database); the noisy town's gateways flood, each under the per-gateway limit,
 * all together at its `messagesPerSecond` quota and then above it. Three phases of `phaseS` seconds,
 * the journal drained between them: the quiet town alone, the flood at the quota, the flood at
 * `overFactor` times the quota. Printed: the quiet town's p50 and p99 in each phase and the flooder's
 * messages paced and refused (the noisy town's usage: `pacedMessages`, `refused.messages`).
 */
export interface NoisyNeighbourOptions {
  dir: string;
  /** Seconds per phase (NOISY_NEIGHBOUR_PHASE_S). */
  phaseS: number;
  /** The noisy town's messagesPerSecond quota. */
  limit: number;
  /** The flood above the quota, as a multiple of it. */
  overFactor: number;
  floodGateways: number;
  /** Readings per flood message. */
  floodBatch: number;
  probeBatch: number;
}

const quiet = 'quiet-town';
const noisy = 'noisy-town';
const token = 'bench-noisy-token-0123456789abcdef';
const probeGateway = 'quiet-probe';

/** The noisy town's fleet: `gateways` × 50 devices, ids prefixed so that they are its own. */
function noisyFleet(gateways: number): FleetFile {
  const fleet = generateFleet({ seed: 14, devices: gateways * 50, devicesPerGateway: 50 });
  const own = (id: string) => `noisy-${id}`;
  return {
    city: GENT,
    gateways: fleet.gateways.map((g) => ({ ...g, id: own(g.id) })),
    devices: fleet.devices.map((d) => ({ ...d, id: own(d.id), gatewayId: own(d.gatewayId) })),
  };
}

async function writeTenantFolder(tenantsDir: string, tenant: string, fleet: FleetFile): Promise<void> {
  const fleetDir = join(tenantsDir, tenant, 'fleet');
  await mkdir(fleetDir, { recursive: true });
  await writeFile(join(fleetDir, 'fleet.json'), JSON.stringify(fleet));
}

export async function noisyNeighbourBench(options: NoisyNeighbourOptions) {
  const { phaseS, limit } = options;
  const tenantsDir = join(options.dir, 'tenants');
  const floodFleet = noisyFleet(options.floodGateways);
  await writeTenantFolder(tenantsDir, quiet, probeFleet(probeGateway, options.probeBatch));
  await writeTenantFolder(tenantsDir, noisy, floodFleet);
  say('(noisy neighbour) starting influxd and the cloud with two tenants');
  const platform = await startPlatform(join(options.dir, 'platform'), [], [], {
    ADMIN_TOKEN: token,
    API_REQUESTS_PER_MINUTE: '100000000',
    TENANTS_DIR: tenantsDir,
    DEFAULT_TENANT: 'false',
  });
  const api = (path: string, init: RequestInit = {}) =>
    fetch(`${platform.apiUrl}/api/v1${path}`, {
      ...init,
      headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
    });
  for (const [id, quotas] of [
    [quiet, {}],
    [noisy, { messagesPerSecond: limit }],
  ] as const) {
    const res = await api('/tenants', {
      method: 'POST',
      body: JSON.stringify({ id, ...GENT, quotas }),
    });
    if (res.status !== 201) throw new Error(`creating tenant ${id}: ${res.status} ${await res.text()}`);
  }
  const secrets = new Map([
    ...(await issueCredentials(platform.credentialsFile, [probeGateway], new Date(), quiet)),
    ...(await issueCredentials(
      platform.credentialsFile,
      floodFleet.gateways.map((g) => g.id),
      new Date(),
      noisy,
    )),
  ]);
  const usage = async (tenant: string) =>
    (await (await api(`/tenants/${tenant}/usage`)).json()) as TenantUsage;
  const drained = async () => {
    while ((await platform.health()).journal.lines > 0) await sleep(50);
  };
  const floodGateways = floodFleet.gateways.map((g) => ({
    id: g.id,
    secret: secrets.get(g.id) as string,
    devices: floodFleet.devices.filter((d) => d.gatewayId === g.id) as BenchDevice[],
  }));
  const phases = [
    { name: 'quiet town alone', factor: 0 },
    { name: 'flood at the quota', factor: 1 },
    { name: `flood at ${options.overFactor}× the quota`, factor: options.overFactor },
  ];
  const results = [];
  try {
    for (const [index, phase] of phases.entries()) {
      await drained();
      const before = await usage(noisy);
      const offered = phase.factor * limit;
      say(
        `(noisy neighbour ${index + 1}/3) ${phase.name}: ${phaseS} s` +
          (offered > 0
            ? `; ${options.floodGateways} gateways offer ${int(offered)} messages/s (${int(offered * options.floodBatch)} readings/s), quota ${int(limit)} messages/s`
            : ''),
      );
      const prober = await startProber({
        mqttUrl: platform.mqttUrl,
        gateway: probeGateway,
        secret: secrets.get(probeGateway),
        influx: platform.influx.withDatabase(tenantDatabase('bench', quiet)),
        batchSize: options.probeBatch,
        everyMs: 100,
        pollMs: 20,
        runId: `n${index}${Date.now().toString(36)}`,
      });
      const cloud = watchProc(platform.pid);
      const influxd = watchProc(platform.influxd.pid);
      const machine = watchMachine();
      const flood =
        offered > 0
          ? startFlood(
              {
                url: platform.mqttUrl,
                gateways: floodGateways,
                batchSize: options.floodBatch,
                messagesPerS: offered,
                window: 256,
                durationS: phaseS,
                tsBase: Date.now() - (3 - index) * 24 * 3_600_000,
                runId: `f${index}${Date.now().toString(36)}`,
              },
              phase.name,
            )
          : undefined;
      if (!flood) await sleep(phaseS * 1000);
      const flooded = await flood?.result;
      prober.stopSending();
      const cloudUsage = cloud.stop();
      const influxdUsage = influxd.stop();
      const machineCores = machine.stop();
      const probe = await prober.finish();
      const after = await usage(noisy);
      const quietUsage = await usage(quiet);
      const result = {
        phase: phase.name,
        offeredMessagesPerS: offered,
        quiet: {
          probes: probe.probes,
          missing: probe.missing,
          storedP50Ms: round(probe.storedP50Ms),
          storedP99Ms: round(probe.storedP99Ms),
          storedMaxMs: round(probe.storedMaxMs),
          ackP99Ms: round(probe.ackP99Ms),
          slowest: probe.slowest,
          refusedMessages: quietUsage.refused.messages,
        },
        flooder: flooded && {
          sent: flooded.sent,
          acked: flooded.acked,
          ackedPerS: Math.round(flooded.acked / phaseS),
          paced: after.pacedMessages - before.pacedMessages,
          refused: after.refused.messages - before.refused.messages,
          disconnects: flooded.disconnects,
          connectFailures: flooded.connectFailures,
          notSent: flooded.skipped,
        },
        cloudCores: round(cloudUsage.cores, 2),
        influxdCores: round(influxdUsage.cores, 2),
        /** Busy cores of the whole machine: ours and anything else running. */
        machineCores: round(machineCores, 2),
      };
      say(
        `(noisy neighbour) ${phase.name}: quiet town publish → stored p50 ${result.quiet.storedP50Ms} ms, p99 ${result.quiet.storedP99Ms} ms (${probe.probes} probes, ${probe.missing} missing)` +
          (result.flooder
            ? `; flooder ${int(result.flooder.acked)} acknowledged (${int(result.flooder.ackedPerS)}/s), ${int(result.flooder.paced)} paced, ${int(result.flooder.refused)} refused, ${int(result.flooder.disconnects)} disconnects`
            : ''),
      );
      results.push(result);
    }
  } finally {
    await platform.stop();
  }
  return {
    phaseS,
    limit,
    floodGateways: options.floodGateways,
    floodBatch: options.floodBatch,
    probeBatch: options.probeBatch,
    phases: results,
  };
}

export type NoisyNeighbourResult = Awaited<ReturnType<typeof noisyNeighbourBench>>;

/** The seconds per phase: NOISY_NEIGHBOUR_PHASE_S, 10 by default (the section then takes under a minute). */
export function noisyPhaseSeconds(env = process.env): number {
  const value = Number(env.NOISY_NEIGHBOUR_PHASE_S ?? 10);
  if (!Number.isFinite(value) || value <= 0)
    throw new Error(
      `NOISY_NEIGHBOUR_PHASE_S must be a number of seconds, not ${env.NOISY_NEIGHBOUR_PHASE_S}`,
    );
  return value;
}

/** The default figures: a flood of 8 gateways × 50-reading batches against a quota of 100 messages/s. */
export const noisyDefaults = { limit: 100, overFactor: 3, floodGateways: 8, floodBatch: 50, probeBatch: 20 };

/** The table of the section, in Markdown (for docs/benchmarks.md). */
export function printNoisyNeighbour(r: NoisyNeighbourResult): void {
  console.log(
    `\n### Noisy neighbour: ${r.phaseS} s per phase; the noisy town's quota ${int(r.limit)} messages/s of ${r.floodBatch} readings, ${r.floodGateways} gateways\n`,
  );
  console.log(
    '| phase | quiet town: publish → stored p50 / p99 | flooder: sent / acknowledged per s | paced / refused (disconnects) | cores: cloud / influxd / machine |',
  );
  console.log('| --- | --- | --- | --- | --- |');
  for (const p of r.phases) {
    const f = p.flooder;
    const quiet = `${p.quiet.storedP50Ms} / **${p.quiet.storedP99Ms} ms** (${p.quiet.probes} probes, ${p.quiet.missing} missing)`;
    const sent = f ? `${int(f.sent / r.phaseS)} / ${int(f.ackedPerS)}` : '-';
    const over = f ? `${int(f.paced)} / ${int(f.refused)} (${int(f.disconnects)})` : '-';
    console.log(
      `| ${p.phase} | ${quiet} | ${sent} | ${over} | ${p.cloudCores} / ${p.influxdCores} / ${p.machineCores} |`,
    );
  }
}

if (import.meta.url === `file://${process.argv[1]}`) {
  installCleanupHandlers();
  const dir = await mkdtemp(join(tmpdir(), 'city-noisy-'));
  try {
    const result = await noisyNeighbourBench({ dir, phaseS: noisyPhaseSeconds(), ...noisyDefaults });
    printNoisyNeighbour(result);
    console.log(JSON.stringify(result, null, 2));
  } finally {
    await stopAll();
    await rm(dir, { recursive: true, force: true });
  }
  process.exit(0);
}
