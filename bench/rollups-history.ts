import { cellOf } from '../cloud/geo/cells.ts';
import { rollupPolicy } from '../cloud/rollups/rollup-policy.ts';
import { rollupMeasurement } from '../cloud/rollups/sources.ts';
import { hourMs, localDayStart } from '../shared/local-time.ts';
import { probeKind } from './readings.ts';
import { int, say, sleep } from './util.ts';

/**
 * Writes a year (2025) of history for a fleet of the bench kind straight to InfluxDB: raw readings of
 * the first `rawDevices` devices (two metrics, one reading every `rawEveryMin` minutes) into the
 * default retention policy, and the hourly and daily rollups of every device into `rollups`. A device
 * without raw readings gets the rollups of readings drawn the same way and not written: the rollups of
 * the fleet are what they would be if all of it reported raw. Rollup lines are what the rollup task
 * writes (`<metric>_sum/_count/_min/_max` floats, tags device, district, gateway, kind, zone), built
 * here as strings: 87.6 M of them through `Point` would cost the writer more CPU than influxd.
 */
export const kind = probeKind.kind;
export const timeZone = 'Europe/Prague';
export const districts = [
  'Centre',
  'Drahovice',
  'Rybáře',
  'Tašovice',
  'Bohatice',
  'Doubí',
  'Stará Role',
  'Sedlec',
];
export const yearStart = Date.parse('2025-01-01T00:00:00Z');
export const yearEnd = Date.parse('2026-01-01T00:00:00Z');

export interface HistoryOptions {
  /** influxd's URL and the database (its `autogen` and `rollups` policies exist). */
  url: string;
  database: string;
  devices: number;
  rawDevices: number;
  rawEveryMin: number;
  /** The two metrics written (numeric metrics of the kind). */
  fields: readonly [string, string];
  say: (line: string) => void;
}

export interface FleetDevice {
  id: string;
  district: string;
  zone: string;
}

export function benchFleet(devices: number): FleetDevice[] {
  return Array.from({ length: devices }, (_, i) => ({
    id: `lamp-${String(i).padStart(6, '0')}`,
    district: districts[i % districts.length] as string,
    zone: cellOf({ lat: 50.2 + ((i * 7919) % 1000) / 20_000, lon: 12.85 + ((i * 104_729) % 1000) / 10_000 }),
  }));
}

/**
 * Lines in batches of `batch`, at most `inFlight` writes at once; counts what InfluxDB confirmed.
 * Plain HTTP with no timeout: on a busy machine one write of 10,000 lines can take longer than the
 * InfluxDB client's 10 s, and the bench wants the history written, however slowly. `add` returns a
 * promise only when the caller must wait for a write.
 */
function batchWriter(url: string, database: string, policy: string, batch: number, inFlight: number) {
  let pending: string[] = [];
  const writes = new Set<Promise<void>>();
  let written = 0;
  const target = `${url}/write?${new URLSearchParams({ db: database, rp: policy, precision: 'ms' })}`;
  /**
   * influxd 1.x answers 500 "timeout" when its own write deadline passes on a loaded machine; the
   * points may be stored or not. Writing the same points again is harmless (same series and time:
   * the same point), so such a write is sent again, after a pause that doubles, up to 8 times.
   */
  const post = async (body: string): Promise<void> => {
    for (let attempt = 1; ; attempt++) {
      const res = await fetch(target, { method: 'POST', body });
      if (res.status === 204) return;
      const text = await res.text();
      if (res.status < 500 || attempt === 8)
        throw new Error(`write to ${policy} answered ${res.status} (attempt ${attempt}): ${text}`);
      say(
        `(rollups) write to ${policy} answered ${res.status} (${text.trim()}); again in ${2 ** attempt / 4} s`,
      );
      await sleep(2 ** attempt * 250);
    }
  };
  const send = (lines: string[]): Promise<unknown> | undefined => {
    const write = post(lines.join('\n'))
      .then(() => {
        written += lines.length;
      })
      .finally(() => writes.delete(write));
    writes.add(write);
    return writes.size >= inFlight ? Promise.race(writes) : undefined;
  };
  return {
    get written() {
      return written;
    },
    add(line: string): Promise<unknown> | undefined {
      pending.push(line);
      if (pending.length < batch) return undefined;
      const lines = pending;
      pending = [];
      return send(lines);
    },
    async close() {
      if (pending.length > 0) await send(pending);
      await Promise.all(writes);
    },
  };
}

/** Sum, count, min and max of both metrics over a bucket, in plain numbers (nothing allocated per reading). */
class Bucket {
  time = Number.NaN;
  count = 0;
  sumA = 0;
  sumB = 0;
  minA = 0;
  minB = 0;
  maxA = 0;
  maxB = 0;

  add(a: number, b: number) {
    if (this.count === 0) {
      [this.sumA, this.minA, this.maxA, this.sumB, this.minB, this.maxB] = [a, a, a, b, b, b];
    } else {
      this.sumA += a;
      this.sumB += b;
      this.minA = Math.min(this.minA, a);
      this.minB = Math.min(this.minB, b);
      this.maxA = Math.max(this.maxA, a);
      this.maxB = Math.max(this.maxB, b);
    }
    this.count++;
  }

  /**
   * The bucket's rollup line, then empty again. Fields in `rollupLine`'s order (by name: metrics
   * sorted, then count, max, min, sum); sums unrounded, as the task writes InfluxDB's sum().
   */
  take(head: string, fields: readonly [string, string]): string {
    const [a, b] = fields;
    const partsA = `${a}_count=${this.count},${a}_max=${this.maxA},${a}_min=${this.minA},${a}_sum=${this.sumA}`;
    const partsB = `${b}_count=${this.count},${b}_max=${this.maxB},${b}_min=${this.minB},${b}_sum=${this.sumB}`;
    this.count = 0;
    return `${head} ${a < b ? `${partsA},${partsB}` : `${partsB},${partsA}`} ${this.time}`;
  }
}

const escapeTag = (value: string) => value.replace(/[ ,=]/g, (c) => `\\${c}`);

/** Writes the year; progress every ~10 s. Returns the points confirmed and the seconds it took. */
export async function writeHistory(options: HistoryOptions) {
  const { url, database, fields, say } = options;
  const fleet = benchFleet(options.devices);
  const stepMs = options.rawEveryMin * 60_000;
  const raw = batchWriter(url, database, 'autogen', 10_000, 2);
  const hourly = batchWriter(url, database, rollupPolicy, 10_000, 2);
  const daily = batchWriter(url, database, rollupPolicy, 10_000, 1);
  const heads = fleet.map((d, i) => {
    const tags = `device=${d.id},district=${escapeTag(d.district)},gateway=gw-${Math.floor(i / 50)},kind=${kind}`;
    return {
      raw: `${kind},${tags}`,
      hour: `${rollupMeasurement(kind, 'hour')},${tags},zone=${d.zone}`,
      day: `${rollupMeasurement(kind, 'day')},${tags},zone=${d.zone}`,
      hourBucket: new Bucket(),
      dayBucket: new Bucket(),
    };
  });
  const [metric, otherMetric] = fields;
  const expected = {
    raw: options.rawDevices * Math.ceil((yearEnd - yearStart) / stepMs),
    hourly: options.devices * ((yearEnd - yearStart) / hourMs),
  };
  say(
    `(rollups) writing 2025: ${int(expected.hourly)} hourly rollup points of ${int(options.devices)} devices (and their daily ones); ${int(expected.raw)} raw readings of ${int(options.rawDevices)} of them, one every ${options.rawEveryMin} min`,
  );
  const started = performance.now();
  let lastSaid = started;
  let seed = 42;
  const noise = () => {
    seed = (seed * 1_103_515_245 + 12_345) % 2 ** 31;
    return seed / 2 ** 31;
  };
  let day = { hour: Number.NaN, start: 0 };
  for (let slot = yearStart; slot < yearEnd; slot += stepMs) {
    const hour = Math.floor(slot / hourMs) * hourMs;
    if (hour !== day.hour) day = { hour, start: localDayStart(hour, timeZone) };
    const utcHour = new Date(slot).getUTCHours();
    const on = utcHour < 6 || utcHour >= 17;
    for (let i = 0; i < heads.length; i++) {
      const device = heads[i] as (typeof heads)[number];
      // Noisy like a meter (two decimals): regular values would compress far better than real ones.
      const a = on ? Math.round((38 + noise() * 6) * 100) / 100 : Math.round(noise() * 100) / 100;
      const b = Math.round((226 + noise() * 8) * 100) / 100;
      // Each device a few seconds after the slot: stays in the slot's hour.
      if (i < options.rawDevices)
        await raw.add(`${device.raw} ${metric}=${a},${otherMetric}=${b} ${slot + (i % 60) * 1000}`);
      if (device.hourBucket.count > 0 && device.hourBucket.time !== hour) {
        const wait = hourly.add(device.hourBucket.take(device.hour, fields));
        if (wait) await wait;
      }
      device.hourBucket.time = hour;
      device.hourBucket.add(a, b);
      if (device.dayBucket.count > 0 && device.dayBucket.time !== day.start)
        await daily.add(device.dayBucket.take(device.day, fields));
      device.dayBucket.time = day.start;
      device.dayBucket.add(a, b);
    }
    const now = performance.now();
    if (now - lastSaid > 10_000) {
      lastSaid = now;
      const s = (now - started) / 1000;
      const done = (slot - yearStart) / (yearEnd - yearStart);
      say(
        `(rollups) ${new Date(slot).toISOString().slice(0, 10)}: ${int(hourly.written)} hourly, ${int(daily.written)} daily, ${int(raw.written)} raw points confirmed; ${int((hourly.written + daily.written + raw.written) / s)} points/s; ~${((s / done - s) / 60).toFixed(0)} min left`,
      );
    }
  }
  for (const device of heads) {
    await hourly.add(device.hourBucket.take(device.hour, fields));
    await daily.add(device.dayBucket.take(device.day, fields));
  }
  await Promise.all([raw.close(), hourly.close(), daily.close()]);
  const writeS = (performance.now() - started) / 1000;
  const points = { raw: raw.written, hourly: hourly.written, daily: daily.written };
  say(
    `(rollups) ${int(points.hourly)} hourly, ${int(points.daily)} daily and ${int(points.raw)} raw points written in ${writeS.toFixed(0)} s`,
  );
  return { fleet, points, writeS };
}
