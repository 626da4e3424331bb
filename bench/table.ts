import type { EdgeResult } from './edge.ts';
import { edgeTarget, type Report } from './report.ts';
import { int, mb, pct } from './util.ts';

const driverDevices = (counts: Record<string, number>) =>
  Object.entries(counts)
    .map(([type, n]) => `${type} ${n}`)
    .join(', ');

/** The edge agent alone (`--only edge`): its figures and issue 18's target. */
export function printEdge(edge: EdgeResult): void {
  console.log(
    `\nEdge agent: ${edge.devices} devices (${driverDevices(edge.driverDevices)}) every ${edge.reportingIntervalS} s for ${edge.durationS} s: ` +
      `peak RSS ${mb(edge.peakRssBytes)}; at the end ${mb(edge.rssAnonBytes)} anonymous + ${mb(edge.rssFileBytes)} file-backed; ` +
      `${edge.cores.toFixed(2)} cores; ${int(edge.readingsAccepted)} readings accepted by the cloud`,
  );
  const t = edgeTarget(edge);
  console.log(
    `\n| target | measured | pass |\n| --- | --- | --- |\n| ${t.target} | ${t.measured} | ${t.pass ? 'PASS' : 'FAIL'} |\n`,
  );
}

/** The table at the end of a run, in Markdown so that it can go into docs/benchmarks.md as is. */
export function printReport(r: Report): void {
  const { ceilings: c, ingest: i, latency: l } = r;
  const rows: [string, string, string][] = [
    [
      'InfluxDB ceiling (raw line protocol)',
      `${int(c.influx.pointsPerS ?? 0)} points/s`,
      `${c.influx.writers} writers × ${c.influx.batchLines} lines, influxd ${c.influx.influxdCores} cores; other processes ${c.influx.otherCores} cores`,
    ],
    [
      `Mosquitto ceiling (QoS ${r.options.qos})`,
      `${int(c.mosquitto.readingsPerS ?? 0)} readings/s`,
      `${int(c.mosquitto.messagesPerS ?? 0)} msg/s, ${c.mosquitto.received}/${c.mosquitto.acked} delivered; mosquitto ${c.mosquitto.mosquittoCores}, load ${c.mosquitto.loadCores}; other processes ${c.mosquitto.otherCores} cores`,
    ],
    [
      'End-to-end ingest (stored)',
      `${int(i.readingsPerS ?? 0)} readings/s`,
      `${pct(r.ratios.ingestOfInfluxCeiling ?? 0)} of InfluxDB, ${pct(r.ratios.ingestOfMosquittoCeiling ?? 0)} of Mosquitto; lost ${int(i.lost)}`,
    ],
    [
      '  accepted (PUBACK) rate',
      `${int(i.acceptedPerS ?? 0)} readings/s`,
      `PUBACK p50 ${i.ackP50Ms} ms, p99 ${i.ackP99Ms} ms; journal peak ${int(i.journalPeakLines)} lines`,
    ],
    [
      '  CPU per stored reading',
      `cloud ${r.cost.cloudUsPerReading} µs`,
      `influxd ${r.cost.influxdUsPerReading} µs, load generator ${r.cost.loadUsPerReading} µs (raw writes: ${r.cost.ceilingUsPerPoint} µs per point)`,
    ],
    [
      '  projected, machine to ourselves',
      `${int(r.cost.projectedIngestPerS ?? 0)} readings/s`,
      `${pct(r.cost.projectedRatio ?? 0)} of the projected ceiling ${int(r.cost.projectedCeilingPerS ?? 0)} points/s (all ${r.machine.cores} cores, from CPU per reading)`,
    ],
    [
      '  cloud process',
      `${i.cloud.cores} cores`,
      `${i.cloud.cpuS} CPU s, peak RSS ${i.cloud.peakRssMB} MB; influxd ${i.influxdCores}, load ${i.loadCores}; other processes ${i.otherCores} cores`,
    ],
    [
      'Publish → stored',
      `p50 ${l.storedP50Ms} ms, p99 ${l.storedP99Ms} ms`,
      `at ${int(l.ratePerS ?? 0)} readings/s; ${l.probes} probes, ${l.missing} missing; PUBACK p99 ${l.ackP99Ms} ms`,
    ],
    [
      'Edge agent',
      `${r.edge.peakRssMB} MB peak RSS`,
      `${r.edge.devices} devices (${driverDevices(r.edge.driverDevices)}) every ${r.edge.reportingIntervalS} s, ${r.edge.cores} cores; at the end ${r.edge.rssAnonMB} MB anonymous + ${r.edge.rssFileMB} MB file-backed`,
    ],
    [
      'Cloud with registry',
      `${r.registry.peakRssMB} MB peak RSS`,
      `${int(r.registry.devices)} devices, edge agent's load (cloud CPU ${r.edge.cloudCores} cores); ${r.registry.idleRssMB} MB after start (${r.registry.startupS} s); ${r.registry.saturatedPeakRssMB} MB under saturation`,
    ],
  ];
  console.log(`\n| measure | result | detail |\n| --- | --- | --- |`);
  for (const row of rows) console.log(`| ${row.join(' | ')} |`);
  console.log(`\n| target | measured | pass |\n| --- | --- | --- |`);
  for (const t of r.targets) console.log(`| ${t.target} | ${t.measured} | ${t.pass ? 'PASS' : 'FAIL'} |`);
  console.log('');
}
