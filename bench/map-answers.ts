import { pino } from 'pino';
import { clustersQuery, mapQuery } from '../cloud/api/map.ts';
import { liveFeature } from '../cloud/live/feature.ts';
import { MemoryRegistryStore } from '../cloud/registry/memory-store.ts';
import { DeviceRegistry } from '../cloud/registry/registry.ts';
import { generateFleet } from '../simulators/fleet.ts';
import { apiTargets } from './api.ts';
import { int, say } from './util.ts';

/**
 * `node bench/map-answers.ts [devices]`: the map's answers of the API bench (`/map/clusters` and
 * `/map` at its viewports), made in this process from a region's registry (1,000,000 devices by
 * default) without HTTP: the time to find each answer's features and to write it (its UTF-8 bytes), the mean
 * of 100 after 30 to warm up. What one request costs the cloud's main thread, apart from the noise of
 * 16 HTTP clients on the same machine; `npm run bench -- --only api` measures the whole.
 */
const devices = Number(process.argv[2] ?? 1_000_000);
const fleet = generateFleet({ seed: 1, devices });
say(`registry of ${int(devices)} devices`);
const registry = new DeviceRegistry({
  store: new MemoryRegistryStore(),
  now: () => new Date(),
  offlineAfterMs: 900_000,
});
await registry.load([fleet]);
const live = liveFeature({ registry, log: pino({ level: 'silent' }), sweepMs: 60_000, openAlerts: () => [] });
let started = performance.now();
await live.start();
say(`map indexes built in ${int(performance.now() - started)} ms`);

const [clusters, , , map] = apiTargets(fleet);
const paths = [...(clusters?.paths ?? []), ...(map?.paths ?? [])];
const answer = async (path: string) => {
  const url = new URL(path, 'http://bench');
  const query = Object.fromEntries(url.searchParams);
  if (url.pathname.endsWith('/clusters')) {
    const q = clustersQuery.parse(query);
    const found = live.map.clusters(q.bbox, q.zoom, q);
    return { features: found.count, text: () => found.json() };
  }
  const q = mapQuery.parse(query);
  const found = await live.map.within(q.bbox ?? [-180, -90, 180, 90], q, q.limit);
  return { features: found.devices.length, text: () => live.map.featuresOf(found) };
};

const rows: string[][] = [];
for (const path of paths) {
  for (let i = 0; i < 30; i++) (await answer(path)).text();
  let findMs = 0;
  let textMs = 0;
  let bytes = 0;
  let features = 0;
  for (let i = 0; i < 100; i++) {
    started = performance.now();
    const found = await answer(path);
    const between = performance.now();
    bytes = found.text().reduce((sum, part) => sum + part.length, 0);
    textMs += performance.now() - between;
    findMs += between - started;
    features = found.features;
  }
  rows.push([
    path.replace(/bbox=[^&]+/, 'bbox=…'),
    int(features),
    int(bytes),
    (findMs / 100).toFixed(2),
    (textMs / 100).toFixed(2),
  ]);
  say(`${path}: done`);
}
live.stop();
const header = ['answer', 'features', 'bytes', 'find ms', 'text ms'];
const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => (r[i] as string).length)));
for (const row of [header, ...rows])
  console.log(
    row.map((cell, i) => (i === 0 ? cell.padEnd(widths[i] ?? 0) : cell.padStart(widths[i] ?? 0))).join('  '),
  );
