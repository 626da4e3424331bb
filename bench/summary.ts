import { readFile } from 'node:fs/promises';

/**
 * One table of every section's headline figures and issue 18's targets (ingest, the peer, rules,
 * the edge agent, a region's registry, the console, tenancy, cluster mode, rollups), from one results
 * file or from several (`--only` runs): `node bench/summary.ts a.json [b.json ...]`, or printed at
 * the end of a full `npm run bench`. A section missing from the files is left out.
 */
type Json = Record<string, unknown>;
interface Row {
  area: string;
  figure: string;
  value: string;
  /** The target's verdict when the area has one. */
  pass?: boolean;
}

const n = (v: unknown) => (typeof v === 'number' ? v : Number.NaN);
const int = (v: unknown) => (Number.isFinite(n(v)) ? Math.round(n(v)).toLocaleString('en-US') : '—');
const at = (o: unknown, ...path: (string | number)[]): unknown =>
  path.reduce<unknown>((v, k) => (v && typeof v === 'object' ? (v as Json)[k] : undefined), o);
const targets = (o: unknown): { target: string; measured: string; pass: boolean }[] =>
  Array.isArray(o) ? (o as { target: string; measured: string; pass: boolean }[]) : [];

/** The rows of every section present in `results` (the sections of all files, merged). */
export function summaryRows(results: Json): Row[] {
  const rows: Row[] = [];
  const verdicts = (area: string, list: unknown) => {
    for (const t of targets(list)) rows.push({ area, figure: t.target, value: t.measured, pass: t.pass });
  };
  const ingest = results.ingest as Json | undefined;
  if (ingest && 'medianRatio' in ingest) verdicts('ingest (3 quick runs)', ingest.targets);
  verdicts('full run', results.targets);
  const latency = results.latency as Json | undefined;
  if (latency)
    rows.push({
      area: 'ingest',
      figure: 'publish → stored p99 at half the sustained rate',
      value: `${at(latency, 'storedP99Ms')} ms at ${int(at(latency, 'ratePerS'))} readings/s`,
    });
  verdicts('peer (Node-RED)', at(results, 'peer', 'targets'));
  const region = results.region as Json | undefined;
  if (region) verdicts('region (1,000,000 devices)', region.targets);
  const api = at(results, 'api', 'targets');
  if (Array.isArray(api))
    for (const t of api as Json[])
      rows.push({
        area: 'console API',
        figure: `${t.name} p99`,
        value: `${t.p99Ms} ms, ${int(t.requestsPerS)} req/s${t.cloudCpuMsPerAnswer === undefined ? '' : `, cloud CPU ${t.cloudCpuMsPerAnswer} ms per answer`}`,
      });
  const consoleFigures = results.console as Json | undefined;
  if (consoleFigures) {
    const ms = (v: unknown) => `${v ?? '—'} ms`;
    rows.push(
      {
        area: 'console',
        figure: 'map first render (cold, then warm)',
        value: (consoleFigures.firstRenderMs as number[]).map(ms).join(', '),
      },
      {
        area: 'console',
        figure: 'pan / zoom p50',
        value: `${ms(at(consoleFigures, 'pan', 'p50Ms'))} / ${ms(at(consoleFigures, 'zoom', 'p50Ms'))}`,
      },
      { area: 'console', figure: 'reading → inbox row p99', value: ms(at(consoleFigures, 'alert', 'p99Ms')) },
      {
        area: 'console',
        figure: 'first load shipped (gzip JS + CSS)',
        value: `${Math.round((n(at(consoleFigures, 'shipped', 'firstLoad', 'js')) + n(at(consoleFigures, 'shipped', 'firstLoad', 'css'))) / 1024)} KiB`,
      },
    );
  }
  const phases = at(results, 'noisyNeighbour', 'phases');
  if (Array.isArray(phases))
    for (const p of phases as Json[])
      rows.push({
        area: 'tenancy (noisy neighbour)',
        figure: `quiet town's publish → stored p99: ${p.phase}`,
        value: `${at(p, 'quiet', 'storedP99Ms')} ms (${at(p, 'quiet', 'missing')} probes missing)`,
      });
  const cluster = results.cluster as Json | undefined;
  if (cluster)
    for (const [name, key] of [
      ['single node', 'singleNode'],
      ['cluster', 'cluster'],
    ] as const) {
      const c = cluster[key] as Json | undefined;
      if (c)
        rows.push({
          area: 'cluster mode',
          figure: `${name}: stored readings/s, loss`,
          value: `${int(c.storedPerS)}/s, ${c.zeroLoss ? 'no loss' : 'LOSS'}`,
        });
    }
  const edge = results.edge as Json | undefined;
  if (edge)
    rows.push({
      area: 'edge agent',
      figure: `peak RSS, ${int(edge.devices)} devices`,
      value: `${edge.peakRssMB} MB`,
    });
  const rules = results.rules as Json | undefined;
  if (rules?.oneByOne)
    rows.push({
      area: 'rules',
      figure: 'readings/s, 10,000 rules evaluated one by one (between)',
      value: int(at(rules, 'oneByOne', 'readingsPerSecond')),
    });
  return rows;
}

export function printSummary(rows: Row[]): void {
  console.log('\n| area | figure | measured | target |');
  console.log('| --- | --- | --- | --- |');
  for (const r of rows)
    console.log(
      `| ${r.area} | ${r.figure} | ${r.value} | ${r.pass === undefined ? '—' : r.pass ? 'PASS' : 'FAIL'} |`,
    );
}

if (import.meta.url === `file://${process.argv[1]}`) {
  const files = process.argv.slice(2);
  if (files.length === 0) {
    console.error('usage: node bench/summary.ts results.json [more.json ...]');
    process.exit(2);
  }
  const merged: Json = {};
  for (const file of files) Object.assign(merged, JSON.parse(await readFile(file, 'utf8')) as Json);
  printSummary(summaryRows(merged));
}
