import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { SqliteRegistryStore } from '../cloud/registry/sqlite-store.ts';
import type { DeviceRecord } from '../cloud/registry/store.ts';
import { cloudDbMigrations } from '../cloud/schema-migrations.ts';
import { openSqlite } from '../cloud/sqlite/sqlite.ts';
import { generateFleet } from '../simulators/fleet.ts';
import { createRandom, shuffled } from '../simulators/random.ts';
import { metricsOf } from './readings.ts';
import { int, say } from './util.ts';

/**
 * `node bench/registry-writes.ts [devices] [seen]`: the registry's writes to its embedded store
 * (SQLite, as the cloud opens it), in this process, without ingest around them: a region's first
 * save of its fleet (`devices`, 1,000,000 by default) in the fleet file's order and shuffled, then
 * rounds of the one-second flush (`seen` devices heard from, 20,000 by default) taken as gateways
 * report (each batch a gateway's devices, in the file's order) and in no order. Prints the main
 * thread's CPU per row (user + system, µs): what each write costs the cloud beside its ingest.
 */
const devices = Number(process.argv[2] ?? 1_000_000);
const seen = Number(process.argv[3] ?? 20_000);
const rounds = 6;

const cpuUs = () => {
  const { user, system } = process.cpuUsage();
  return user + system;
};

const fleet = generateFleet({ seed: 3, devices, devicesPerGateway: 1_000 });
const records = (): DeviceRecord[] =>
  fleet.devices.map((d, i) => ({
    id: d.id,
    kind: d.kind,
    gatewayId: d.gatewayId,
    district: d.district,
    location: d.location,
    name: d.name,
    provisioned: true,
    latest: metricsOf(d.kind, i % 8),
  }));

const dir = await mkdtemp(join(tmpdir(), 'registry-writes-'));
try {
  const results: Record<string, string> = {};
  for (const order of ['fleet file', 'shuffled'] as const) {
    const db = openSqlite(join(dir, `${order.replace(' ', '-')}.db`), cloudDbMigrations);
    const store = new SqliteRegistryStore(db);
    const all = order === 'shuffled' ? shuffled(createRandom(7), records()) : records();
    say(`first save of ${int(devices)} devices in the ${order}'s order…`);
    let started = cpuUs();
    await store.saveDevices(all);
    results[`first save, ${order} order`] = `${((cpuUs() - started) / devices).toFixed(1)} µs/row`;
    say(`  ${results[`first save, ${order} order`]}`);

    // The flush: devices heard from in one second, as gateways report them (runs of a gateway's
    // devices, gateways in turn) or in no order at all.
    const active = records().slice(0, Math.min(devices, seen * 2));
    for (const heard of ['by gateway', 'in no order'] as const) {
      const perRound: string[] = [];
      for (let round = 1; round <= rounds; round++) {
        const start = (round % 2) * seen;
        const batch = active.slice(start, start + seen).map((d) => ({
          ...d,
          firstSeen: '2026-12-01T00:00:00.000Z',
          lastSeen: new Date(Date.UTC(2026, 11, 1, 0, 0, round)).toISOString(),
          latestTs: new Date(Date.UTC(2026, 11, 1, 0, 0, round)).toISOString(),
        }));
        const flush = heard === 'in no order' ? shuffled(createRandom(round), batch) : batch;
        started = cpuUs();
        await store.saveSeen(flush);
        perRound.push(((cpuUs() - started) / flush.length).toFixed(1));
      }
      const key = `flush of ${int(seen)} (table written in ${order} order), heard ${heard}`;
      results[key] = `${perRound.join(' ')} µs/row`;
      say(`  ${key}: ${results[key]}`);
    }
    db.close();
  }
  console.log(JSON.stringify({ devices, seen, results }, null, 2));
} finally {
  await rm(dir, { recursive: true, force: true });
}
