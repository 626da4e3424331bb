import { join } from 'node:path';
import { countStored, startInfluxd } from './influx.ts';
import { watchMachine, watchProc } from './proc.ts';
import { type BenchDevice, ReadingSource } from './readings.ts';
import { int, say, sleep } from './util.ts';

/**
 * Ceiling (2): raw InfluxDB line-protocol writes against a fresh influxd, with the lines the cloud
 * would write for the same devices, in optimal batches (`batchLines` per POST /write, `writers`
 * concurrent requests). Rate = points confirmed (HTTP 204) per second; checked by COUNT afterwards.
 */
export interface InfluxCeilingOptions {
  dir: string;
  devices: BenchDevice[];
  batchLines: number;
  writers: number;
  durationS: number;
  tsBase: number;
}

export async function influxCeiling(options: InfluxCeilingOptions) {
  const influxd = await startInfluxd(join(options.dir, 'influxdb-ceiling'), 'ceiling');
  try {
    const source = new ReadingSource(options.devices, options.tsBase);
    const body = () => {
      const lines: string[] = new Array(options.batchLines);
      for (let i = 0; i < options.batchLines; i++) lines[i] = source.line();
      return lines.join('\n');
    };
    // Warm-up: creates the series and the shard before the clock starts.
    await post(influxd.url, body());
    const warm = options.batchLines;
    const watch = watchProc(influxd.pid);
    const machine = watchMachine();
    const cpuStart = process.cpuUsage();
    const started = performance.now();
    const end = started + options.durationS * 1000;
    let points = 0;
    let lastDone = started;
    const progress = setInterval(
      () =>
        say(
          `InfluxDB ceiling: ${int(points)} points written, ${int(points / ((performance.now() - started) / 1000))} points/s`,
        ),
      1_000,
    );
    const writer = async () => {
      while (performance.now() < end) {
        await post(influxd.url, body());
        points += options.batchLines;
        lastDone = performance.now();
      }
    };
    try {
      await Promise.all(Array.from({ length: options.writers }, writer));
    } finally {
      clearInterval(progress);
    }
    const seconds = (lastDone - started) / 1000;
    const cpu = process.cpuUsage(cpuStart);
    const influxdUsage = watch.stop();
    const machineCores = machine.stop();
    await sleep(200);
    const stored = await countStored(influxd.influx, options.tsBase, Date.now() + 86_400_000);
    return {
      pointsPerS: points / seconds,
      points,
      seconds,
      stored: stored - warm,
      batchLines: options.batchLines,
      writers: options.writers,
      influxdCores: influxdUsage.cores,
      writerCores: (cpu.user + cpu.system) / 1e6 / seconds,
      machineCores,
    };
  } finally {
    await influxd.stop();
  }
}

async function post(url: string, body: string): Promise<void> {
  const res = await fetch(`${url}/write?db=ceiling&precision=ms`, { method: 'POST', body });
  if (res.status !== 204) throw new Error(`InfluxDB write answered ${res.status}: ${await res.text()}`);
}
