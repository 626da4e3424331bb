import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { escape as lineEscape } from '@influxdata/influxdb-client';
import { cellQualities } from '../cloud/coverage/cell-hours.ts';
import { Coverage, coverageGeoJson } from '../cloud/coverage/coverage.ts';
import { influxLinkSamples, linkKinds } from '../cloud/coverage/link-samples.ts';
import { cellOf } from '../cloud/geo/cells.ts';
import { MemoryRegistryStore } from '../cloud/registry/memory-store.ts';
import { DeviceRegistry } from '../cloud/registry/registry.ts';
import { connectInflux } from '../cloud/storage/influx.ts';
import { startLocalInfluxd } from '../cloud/storage/local-influxd.ts';
import { gatewayLinkMeasurement } from '../cloud/storage/measurements.ts';
import { generateFleet } from '../simulators/fleet.ts';
import { simulatedLink } from '../simulators/uplink/signal-field.ts';

/**
 * `node bench/coverage.ts [--devices N] [--days D]`: the coverage layer's answer time over raw points.
 * A fleet's link devices report every 5 minutes and its gateways every minute for D days into a
 * fresh influxd; then GET /coverage's work (read the sums and counts, combine per cell, GeoJSON) is
 * timed for one hour, one day by the hour, and D days by the day. See docs/benchmarks.md.
 */
const { values } = parseArgs({ options: { devices: { type: 'string' }, days: { type: 'string' } } });
const deviceCount = Number(values.devices ?? 2_000);
const days = Number(values.days ?? 7);
const hour = 3_600_000;
const say = (text: string) => console.log(`[coverage] ${text}`);

const dir = await mkdtemp(join(tmpdir(), 'coverage-bench-'));
const influxd = await startLocalInfluxd(dir);
try {
  const influx = await connectInflux({ url: influxd.url, token: '', database: 'coverage', org: '' });
  const fleet = generateFleet({ seed: 5, devices: deviceCount, devicesPerGateway: 50 });
  const registry = new DeviceRegistry({
    store: new MemoryRegistryStore(),
    now: () => new Date(),
    offlineAfterMs: 900_000,
  });
  await registry.load([fleet]);
  const kind = linkKinds[0];
  if (!kind) throw new Error('no kind declares its link');
  const linked = fleet.devices.filter((d) => d.kind === kind.kind);
  const end = Math.floor(Date.now() / hour) * hour;
  const start = end - days * 24 * hour;
  say(`${linked.length} link devices, ${fleet.gateways.length} gateways, ${days} days`);

  const lines: string[] = [];
  let points = 0;
  const flush = async (force = false) => {
    if (lines.length < 5_000 && !(force && lines.length)) return;
    const body = lines.splice(0).join('\n');
    const res = await fetch(`${influxd.url}/write?db=coverage&precision=ms`, { method: 'POST', body });
    if (!res.ok) throw new Error(`write: ${res.status} ${await res.text()}`);
  };
  const writeStarted = performance.now();
  for (let t = start; t < end; t += 60_000) {
    const at = new Date(t);
    for (const g of fleet.gateways) {
      const link = simulatedLink(g.location, at, 'bench');
      lines.push(
        `${gatewayLinkMeasurement},gateway=${lineEscape.tag(g.id)},zone=${cellOf(g.location)} rsrp=${link.rsrp},sinr=${link.sinr} ${t}`,
      );
      points++;
    }
    if ((t - start) % 300_000 === 0)
      for (const d of linked) {
        const link = simulatedLink(d.location, at, 'bench');
        lines.push(
          `${kind.kind},device=${lineEscape.tag(d.id)} ${kind.rsrp}=${link.rsrp},${kind.sinr}=${link.sinr} ${t}`,
        );
        points++;
      }
    await flush();
  }
  await flush(true);
  say(
    `${points.toLocaleString('en')} points written in ${((performance.now() - writeStarted) / 1000).toFixed(1)} s`,
  );

  const coverage = new Coverage({ samples: influxLinkSamples(influx, registry), maxCells: 1_000_000 });
  const cases = [
    { name: 'one hour', from: end - hour, to: end, granularity: 'hour' as const },
    { name: 'one day by the hour', from: end - 24 * hour, to: end, granularity: 'hour' as const },
    { name: `${days} days by the day`, from: start, to: end, granularity: 'day' as const },
  ];
  for (const c of cases) {
    const request = {
      from: new Date(c.from),
      to: new Date(c.to),
      granularity: c.granularity,
      metric: 'both' as const,
    };
    const times: number[] = [];
    let cells = 0;
    let bytes = 0;
    for (let i = 0; i < 5; i++) {
      const t0 = performance.now();
      const found = await coverage.cells(request);
      const list = 'cells' in found ? found.cells : [];
      bytes = JSON.stringify(coverageGeoJson(list, c.granularity)).length;
      times.push(performance.now() - t0);
      cells = list.length;
    }
    times.sort((a, b) => a - b);
    say(
      `${c.name}: ${cells} cells, ${(bytes / 1024).toFixed(0)} KiB, median ${times[2]?.toFixed(0)} ms (min ${times[0]?.toFixed(0)}, max ${times[4]?.toFixed(0)})`,
    );
  }
  // The combining alone, on samples already read: what the rollups would leave of the work.
  const samples = await influxLinkSamples(
    influx,
    registry,
  )({ from: new Date(start), to: new Date(end), granularity: 'hour' });
  const t0 = performance.now();
  cellQualities(samples, { from: new Date(start), granularity: 'hour' }, 'both');
  say(
    `combining ${samples.length.toLocaleString('en')} samples per cell and hour: ${(performance.now() - t0).toFixed(0)} ms`,
  );
} finally {
  await influxd.stop();
  await rm(dir, { recursive: true, force: true });
}
