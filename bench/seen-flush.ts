import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { constants, type PerformanceEntry, PerformanceObserver } from 'node:perf_hooks';
import { startSeenLog } from '../cloud/registry/seen-thread.ts';
import { SqliteRegistryStore } from '../cloud/registry/sqlite-store.ts';
import type { DeviceRecord } from '../cloud/registry/store.ts';
import { cloudDbMigrations } from '../cloud/schema-migrations.ts';
import { openSqlite } from '../cloud/sqlite/sqlite.ts';
import { generateFleet } from '../simulators/fleet.ts';
import { metricsOf } from './readings.ts';
import { int, say } from './util.ts';

/**
 * `node bench/seen-flush.ts [devices] [flushes]`: the registry's one-second flush of what readings
 * changed (20,000 devices heard from by default, 60 flushes), through the real seen thread into a
 * temporary `seen.db`, in this process: the main thread's CPU per device (making the flush's texts
 * and handing them over; the thread's SQLite writes are its own) and the collector's work meanwhile
 * (scavenges and mark-compacts, their count and time), which the flush's garbage causes. Not part of
 * `npm run bench`.
 */
const devices = Number(process.argv[2] ?? 20_000);
const flushes = Number(process.argv[3] ?? 60);

const fleet = generateFleet({ seed: 5, devices, devicesPerGateway: 1_000 });
const heardAt = (flush: number) => new Date(Date.UTC(2026, 11, 1, 0, 0, flush)).toISOString();
const records = (flush: number): DeviceRecord[] =>
  fleet.devices.map((d, i) => ({
    id: d.id,
    kind: d.kind,
    gatewayId: d.gatewayId,
    district: d.district,
    provisioned: true,
    firstSeen: heardAt(0),
    lastSeen: heardAt(flush),
    latestTs: heardAt(flush),
    latest: metricsOf(d.kind, (i + flush) % 8),
  }));

const dir = await mkdtemp(join(tmpdir(), 'seen-flush-'));
const devicesPath = join(dir, 'cloud.db');
// The registry's cloud.db, whose devices table the thread reads to tell which devices it lacks.
const db = openSqlite(devicesPath, cloudDbMigrations);
new SqliteRegistryStore(db);
db.close();
const log = await startSeenLog({ path: join(dir, 'seen.db'), devicesPath });
const collector = { minor: 0, minorMs: 0, major: 0, majorMs: 0 };
const observer = new PerformanceObserver((list) => {
  for (const entry of list.getEntries()) {
    const kind = (entry as PerformanceEntry & { detail?: { kind?: number } }).detail?.kind;
    if (kind === constants.NODE_PERFORMANCE_GC_MAJOR) {
      collector.major++;
      collector.majorMs += entry.duration;
    } else if (kind === constants.NODE_PERFORMANCE_GC_MINOR) {
      collector.minor++;
      collector.minorMs += entry.duration;
    }
  }
});
try {
  say(`${flushes} flushes of ${int(devices)} devices through the seen thread…`);
  // Made before the clock starts: the registry holds its records already.
  const rounds = Array.from({ length: flushes }, (_, f) => records(f + 1));
  observer.observe({ entryTypes: ['gc'] });
  const cpu = process.threadCpuUsage();
  for (const [f, round] of rounds.entries()) {
    await log.save(round);
    if ((f + 1) % 20 === 0) say(`  ${f + 1} flushes written`);
  }
  const used = process.threadCpuUsage(cpu);
  // The last flush's collections are reported after it.
  await new Promise((resolve) => setImmediate(resolve));
  observer.disconnect();
  const rows = devices * flushes;
  console.log(
    JSON.stringify(
      {
        devices,
        flushes,
        mainThreadUsPerDevice: Number(((used.user + used.system) / rows).toFixed(2)),
        scavenges: collector.minor,
        scavengeMs: Math.round(collector.minorMs),
        markCompacts: collector.major,
        markCompactMs: Math.round(collector.majorMs),
      },
      null,
      2,
    ),
  );
} finally {
  await log.stop();
  await rm(dir, { recursive: true, force: true });
}
