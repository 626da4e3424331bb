import { readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { Session } from 'node:inspector/promises';
import { join } from 'node:path';
import { threadCpuUsage } from 'node:process';
import type { UplinkMessage } from '../cloud/ingest/ingest.ts';
import { defaultTenantId } from '../shared/ids.ts';
import { generateFleet } from '../simulators/fleet.ts';
import { startTestCloud } from '../test/helpers/cloud.ts';
import { tempDir } from '../test/helpers/temp-dir.ts';
import { startInfluxd } from './influx.ts';
import { readProc, statTicks } from './proc.ts';
import { gatewaysWithDevices, ReadingSource, telemetryTopic } from './readings.ts';
import { int, say, sleep } from './util.ts';

/**
 * `node bench/ingest-path.ts [messages] [--profile FILE] [--rate R]`: the cloud's CPU per reading on its ingest path, without
 * MQTT: telemetry batches handed to a tenant's ingestor in this process (the cloud as in
 * production: 100,000 registered devices, the kinds' rule packs, the journal drained by the storage
 * thread into a private influxd), then waited for until InfluxDB has them all. It prints the main
 * thread's CPU per reading, the whole process's and each thread's. A tool for profiling the hot path
 * (`--profile`: the main thread over the measured messages) and comparing changes on a busy machine: CPU time moves
 * far less with the machine's load than rates do. `--rate R`: the measured messages paced at R readings/s
 * (open loop) instead of 64 in flight, as a city's gateways send; influxd's CPU per reading is printed
 * too (how the writes are batched shows there). Not part of `npm run bench`.
 */
const messages = Number(process.argv[2] ?? 3_000);
/** `--profile FILE`: a CPU profile of the main thread over the measured messages only. */
const profileAt = process.argv.indexOf('--profile');
const profileFile = profileAt > 0 ? process.argv[profileAt + 1] : undefined;
const rateAt = process.argv.indexOf('--rate');
const ratePerS = rateAt > 0 ? Number(process.argv[rateAt + 1]) : undefined;
if (ratePerS !== undefined && !(ratePerS > 0)) throw new Error('--rate takes readings per second, above 0');

/** CPU ticks (user + system) of this process's threads, summed by thread name. */
function threadTicks(): Map<string, number> {
  const ticks = new Map<string, number>();
  for (const tid of readdirSync('/proc/self/task')) {
    const { name, ticks: used } = statTicks(readFileSync(`/proc/self/task/${tid}/stat`, 'utf8'));
    ticks.set(name, (ticks.get(name) ?? 0) + used);
  }
  return ticks;
}
const batch = 100;
const inFlight = 64;

const dir = await tempDir('ingest-path');
const influxd = await startInfluxd(join(dir.path, 'influxdb'), 'bench');
const fleet = generateFleet({ seed: 1, devices: 100_000, devicesPerGateway: 50 });
// The drainer's linger may be set for a comparison (INFLUX_WRITE_LINGER_MS in the environment).
const linger = process.env.INFLUX_WRITE_LINGER_MS;
const test = await startTestCloud(
  influxd.url,
  fleet,
  linger === undefined ? {} : { INFLUX_WRITE_LINGER_MS: linger },
);
try {
  const cell = test.cloud.cells.get(defaultTenantId);
  if (!cell) throw new Error('the default tenant is not running');
  const gateways = gatewaysWithDevices(fleet, fleet.gateways.slice(0, 40), () => '');
  const sources = gateways.map((g) => new ReadingSource(g.devices, Date.now() - 3_600_000, 10));
  const make = (i: number): UplinkMessage => {
    const g = i % gateways.length;
    const gatewayId = (gateways[g] as { id: string }).id;
    const payload = (sources[g] as ReadingSource).batch(gatewayId, `b${i}`, batch);
    return {
      topic: telemetryTopic(gatewayId),
      gatewayId,
      channel: 'telemetry',
      payload: Buffer.from(payload),
    };
  };
  const run = async (from: number, count: number, paced?: number) => {
    const pending = new Set<Promise<void>>();
    const startedAt = performance.now();
    for (let i = from; i < from + count; i++) {
      if (paced) {
        const wait = startedAt + ((i - from) * batch * 1000) / paced - performance.now();
        if (wait > 0) await sleep(wait);
      }
      const handled = cell.ingestor.handle(make(i)).finally(() => pending.delete(handled));
      pending.add(handled);
      if (!paced && pending.size >= inFlight) await Promise.race(pending);
    }
    await Promise.all(pending);
  };
  const drained = async () => {
    for (;;) {
      const health = (await (await fetch(`${test.apiUrl}/health`)).json()) as { journal: { lines: number } };
      if (health.journal.lines === 0) return;
      await sleep(20);
    }
  };
  say('warming up: 500 messages');
  await run(0, 500);
  await drained();
  const session = profileFile ? new Session() : undefined;
  session?.connect();
  await session?.post('Profiler.enable');
  await session?.post('Profiler.start');
  const threads0 = threadTicks();
  const database0 = influxd.pid === undefined ? undefined : readProc(influxd.pid);
  const [process0, main0, wall0] = [process.cpuUsage(), threadCpuUsage(), performance.now()];
  say(
    `${int(messages)} messages of ${batch} readings, ${ratePerS ? `${int(ratePerS)} readings/s` : `${inFlight} at a time`}`,
  );
  await run(500, messages, ratePerS);
  const main1 = threadCpuUsage(main0);
  if (session && profileFile) {
    const { profile } = await session.post('Profiler.stop');
    writeFileSync(profileFile, JSON.stringify(profile));
    say(`main thread profile of the measured messages written to ${profileFile}`);
  }
  await drained();
  const process1 = process.cpuUsage(process0);
  const threads1 = threadTicks();
  const database1 = influxd.pid === undefined ? undefined : readProc(influxd.pid);
  const seconds = (performance.now() - wall0) / 1000;
  const readings = messages * batch;
  const us = (u: NodeJS.CpuUsage) => (u.user + u.system) / readings;
  // The payloads are made in this thread too: their cost, measured alone, is taken off.
  const madeAt = threadCpuUsage();
  for (let i = 0; i < messages; i++) make(i);
  const making = us(threadCpuUsage(madeAt));
  const result = {
    readings,
    seconds: Math.round(seconds * 10) / 10,
    mainThreadUsPerReading: Math.round((us(main1) - making) * 100) / 100,
    processUsPerReading: Math.round((us(process1) - making) * 100) / 100,
    makingPayloadsUs: Math.round(making * 100) / 100,
    influxdUsPerReading:
      database0 && database1 ? Math.round(((database1.cpuS - database0.cpuS) * 1e8) / readings) / 100 : null,
    /** By thread name (/proc/self/task/<tid>/stat: user and system ticks of 10 ms), µs per reading. */
    threadsUsPerReading: Object.fromEntries(
      [...threads1]
        .map(([name, ticks]) => [name, ((ticks - (threads0.get(name) ?? 0)) * 10_000) / readings] as const)
        .filter(([, us]) => us > 0.05)
        .map(([name, us]) => [name, Math.round(us * 100) / 100]),
    ),
  };
  console.log(JSON.stringify(result));
} finally {
  await test.stop();
  await influxd.stop();
  await dir.remove();
}
