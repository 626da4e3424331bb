import { mkdir, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { pino } from 'pino';
import { z } from 'zod';
import { issueCredentials } from '../cloud/broker/credentials.ts';
import { connectInflux } from '../cloud/storage/influx.ts';
import { freePort, type LocalInfluxd, startLocalInfluxd } from '../cloud/storage/local-influxd.ts';
import { generateFleet } from '../simulators/fleet.ts';
import { createRandom } from '../simulators/random.ts';
import { type CloudProcess, startCloudProcess } from './cloud-process.ts';
import { streamingCity } from './streaming-city.ts';
import { compareStored } from './verify-stored.ts';

/**
 * `npm run chaos -- --seconds 120 --devices 3000`: a fleet of simulated gateways streams readings
 * while random faults hit the platform (the cloud killed with SIGKILL, InfluxDB stopped, gateways cut
 * off, agents restarted). At the end every reading the devices produced must be in InfluxDB, once,
 * with its values intact. Prints progress as it goes and the counts at the end; exits 1 on any loss.
 */
const { values } = parseArgs({
  options: {
    seconds: { type: 'string', default: '60' },
    devices: { type: 'string', default: '2000' },
    'per-gateway': { type: 'string', default: '50' },
    seed: { type: 'string', default: '1' },
    out: { type: 'string' },
  },
});
const options = z
  .object({
    seconds: z.coerce.number().positive(),
    devices: z.coerce.number().int().min(10),
    perGateway: z.coerce.number().int().min(1),
    seed: z.coerce.number().int(),
  })
  .parse({
    seconds: values.seconds,
    devices: values.devices,
    perGateway: values['per-gateway'],
    seed: values.seed,
  });

const say = (line: string) => console.log(`[chaos ${new Date().toISOString().slice(11, 19)}] ${line}`);
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
const random = createRandom(options.seed);
const dir = join(tmpdir(), `city-chaos-${process.pid}`);
await mkdir(join(dir, 'fleet'), { recursive: true });

const fleet = generateFleet({
  seed: options.seed,
  devices: options.devices,
  devicesPerGateway: options.perGateway,
});
await writeFile(join(dir, 'fleet', 'fleet.json'), JSON.stringify(fleet));
let influxd: LocalInfluxd = await startLocalInfluxd(join(dir, 'influxdb'));
const influxPort = Number(new URL(influxd.url).port);
const env = {
  MQTT_PORT: String(await freePort()),
  MQTT_HOST: '127.0.0.1',
  HTTP_PORT: String(await freePort()),
  HTTP_HOST: '127.0.0.1',
  DATA_DIR: join(dir, 'cloud'),
  FLEET_DIR: join(dir, 'fleet'),
  INFLUX_URL: influxd.url,
  INFLUX_DATABASE: 'chaos',
  LOG_LEVEL: 'error',
};
const secrets = await issueCredentials(
  join(dir, 'cloud', 'gateway-credentials.json'),
  fleet.gateways.map((g) => g.id),
);
let cloud: CloudProcess = await startCloudProcess(env);
say(
  `${fleet.devices.length} devices on ${fleet.gateways.length} gateways; cloud pid ${cloud.child.pid}; ${options.seconds} s of faults`,
);
const city = await streamingCity({
  fleet,
  mqttUrl: `mqtt://127.0.0.1:${env.MQTT_PORT}`,
  dataDir: join(dir, 'edge'),
  secrets,
  stepS: 10,
  log: pino({ level: 'silent' }),
});
const stopStream = city.stream(500);

const faults = { cloudKilled: 0, influxStopped: 0, gatewaysCut: 0, agentsRestarted: 0 };
const gatewayIds = fleet.gateways.map((g) => g.id);
const status = async () => {
  const health = (await (
    await fetch(`${cloud.apiUrl}/health`).catch(() => undefined)
  )
    ?.json()
    .catch(() => undefined)) as { counters: Record<string, number>; journal: { lines: number } } | undefined;
  const backlog = [...city.agents.values()].reduce((n, a) => n + a.stats.queueDepth, 0);
  return `produced ${city.readings().length}, edge backlog ${backlog}, cloud journal ${health?.journal.lines ?? '(down)'}, accepted since start ${health?.counters.readings_accepted ?? '-'}`;
};

const end = Date.now() + options.seconds * 1000;
while (Date.now() < end) {
  await sleep(random.between(2_000, 6_000));
  const fault = random.pick(['kill-cloud', 'stop-influxdb', 'cut-gateway', 'restart-agent'] as const);
  if (fault === 'kill-cloud') {
    cloud.child.kill('SIGKILL');
    await cloud.exited;
    faults.cloudKilled++;
    say('cloud killed with SIGKILL');
    await sleep(random.between(500, 3_000));
    cloud = await startCloudProcess(env);
    say('cloud restarted');
  } else if (fault === 'stop-influxdb') {
    await influxd.stop();
    faults.influxStopped++;
    const downMs = random.between(3_000, 10_000);
    say(`InfluxDB stopped for ${(downMs / 1000).toFixed(1)} s`);
    await sleep(downMs);
    influxd = await startLocalInfluxd(join(dir, 'influxdb'), { httpPort: influxPort });
    say('InfluxDB restarted');
  } else if (fault === 'cut-gateway') {
    const id = random.pick(gatewayIds);
    const forMs = random.between(1_000, 8_000);
    city.agents.get(id)?.cutConnection(forMs);
    faults.gatewaysCut++;
    say(`gateway ${id} cut off for ${(forMs / 1000).toFixed(1)} s`);
  } else {
    const id = random.pick(gatewayIds);
    await city.restart(id);
    faults.agentsRestarted++;
    say(`agent ${id} restarted (outbox kept on disk)`);
  }
  say(await status());
}

say('faults over; stopping the devices and waiting for every backlog to drain');
await stopStream();
const progress = setInterval(async () => say(await status()), 5_000);
await city.drained();
let comparison = await compareStored(
  await connectInflux({ url: influxd.url, token: '', database: 'chaos', org: '' }),
  city.readings(),
);
for (let wait = 0; comparison.some((k) => k.missingCount > 0) && wait < 60; wait++) {
  await sleep(1_000);
  comparison = await compareStored(
    await connectInflux({ url: influxd.url, token: '', database: 'chaos', org: '' }),
    city.readings(),
  );
}
clearInterval(progress);

const produced = comparison.reduce((n, k) => n + k.produced, 0);
const stored = comparison.reduce((n, k) => n + k.stored, 0);
const lost = comparison.reduce((n, k) => n + k.missingCount, 0);
const mismatched = comparison.reduce((n, k) => n + k.mismatched.length, 0);
const extra = comparison.reduce((n, k) => n + k.extra, 0);
const report = { options, faults, produced, stored, lost, mismatched, extra, byKind: comparison };
console.log(JSON.stringify(report, null, 2));
console.log(
  `\n| kind | produced | stored | lost | values differ | unexpected |\n| --- | --- | --- | --- | --- | --- |`,
);
for (const k of comparison)
  console.log(
    `| ${k.kind} | ${k.produced} | ${k.stored} | ${k.missingCount} | ${k.mismatched.length} | ${k.extra} |`,
  );
if (values.out) await writeFile(values.out, `${JSON.stringify(report, null, 2)}\n`);

await city.stop();
cloud.child.kill('SIGTERM');
await cloud.exited;
await influxd.stop();
await rm(dir, { recursive: true, force: true });
say(lost + mismatched + extra === 0 ? 'nothing lost' : 'LOSS DETECTED');
process.exit(lost + mismatched + extra === 0 ? 0 : 1);
