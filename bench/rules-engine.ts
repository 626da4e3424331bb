import { pino } from 'pino';
import { MemoryAlertStore } from '../cloud/alerts/memory-store.ts';
import { Counters } from '../cloud/monitoring/counters.ts';
import { MemoryRegistryStore } from '../cloud/registry/memory-store.ts';
import { DeviceRegistry } from '../cloud/registry/registry.ts';
import { MemoryRuleStateStore } from '../cloud/rules/memory-state.ts';
import { createRulesRuntime } from '../cloud/rules/runtime.ts';
import type { RuleInput } from '../cloud/rules/schema.ts';
import { parseRule } from '../cloud/rules/store.ts';
import { MemoryJournal } from '../cloud/storage/memory-journal.ts';
import type { Reading } from '../shared/kinds/index.ts';
import { generateFleet } from '../simulators/fleet.ts';
import { probeKind } from './readings.ts';

/**
 * The rules engine alone, in this process: readings per second through `onReadings` with many rules
 * and a large registry, and the time from a reading to its alert. Progress is printed as it goes.
 */
export interface RulesBenchResult {
  /** What the rules compare: `threshold` (metric > value: found by the engine's threshold index) or `between` (evaluated one by one). */
  condition: RuleShape;
  rules: number;
  devices: number;
  readings: number;
  readingsPerSecond: number;
  evaluationsPerReading: number;
  alertLatencyMs: { p50: number; p99: number };
}

/** The numeric metrics the rules read, and those each reading carries (bench/readings.ts picks the kind). */
const metrics = probeKind.ruleMetrics;
const carried = metrics.slice(0, 4);

export type RuleShape = 'threshold' | 'between';

/** Rules no reading of the bench meets, each on one district and one metric, with distinct values. */
function makeRules(count: number, districts: string[], shape: RuleShape): RuleInput[] {
  return Array.from({ length: count }, (_, i) => {
    const metric = metrics[i % metrics.length] as string;
    return {
      id: `bench-${i}`,
      name: `bench rule ${i}`,
      severity: 'info',
      target: { kind: probeKind.kind, districts: [districts[i % districts.length] as string] },
      condition:
        shape === 'threshold'
          ? { type: 'threshold', metric, op: '>', value: 1e9 + i }
          : { type: 'between', metric, min: 1e9 + i, max: 2e9 },
    };
  });
}

export async function rulesBench(options: {
  rules: number;
  devices: number;
  readings: number;
  condition?: RuleShape;
  say: (line: string) => void;
}): Promise<RulesBenchResult> {
  const shape = options.condition ?? 'threshold';
  const { say } = options;
  let clock = Date.now();
  const now = () => new Date(clock);
  const journal = new MemoryJournal({ keyTtlMs: 0, now });
  const fleet = generateFleet({ seed: 7, devices: options.devices, devicesPerGateway: 500 });
  say(`registry: ${fleet.devices.length} devices`);
  const registry = new DeviceRegistry({ store: new MemoryRegistryStore(), now, offlineAfterMs: 900_000 });
  await registry.load([fleet]);
  const counters = new Counters();
  const { alertStore, engine } = createRulesRuntime({
    alertStore: new MemoryAlertStore(),
    states: new MemoryRuleStateStore(),
    // Alert transitions go to a journal, as in the cloud.
    points: { write: (lines) => journal.append({ lines }) },
    registry,
    counters,
    log: pino({ level: 'silent' }),
    now,
    announcer: { announce: () => undefined },
    isActive: () => true,
  });
  const districts = [...new Set(fleet.devices.map((d) => d.district))];
  const rules = makeRules(options.rules, districts, shape).map((r, i) => parseRule(r, `rule ${i}`));
  const trigger = parseRule(
    {
      id: 'bench-trigger',
      name: 'trigger',
      severity: 'info',
      target: { kind: probeKind.kind },
      condition: {
        type: 'threshold',
        metric: probeKind.metric,
        op: '>',
        value: (probeKind.normal + probeKind.alarming) / 2,
      },
    },
    'trigger',
  );
  engine.setRules([...rules, trigger]);
  say(`${rules.length + 1} rules loaded`);

  const probes = fleet.devices.filter((d) => d.kind === probeKind.kind);
  const quiet = probeKind.metrics as Record<string, unknown>;
  const reading = (i: number, value: number, at = clock): Reading =>
    ({
      deviceId: (probes[i % probes.length] as { id: string }).id,
      kind: probeKind.kind,
      ts: new Date(at).toISOString(),
      metrics: { ...Object.fromEntries(carried.map((m) => [m, quiet[m]])), [probeKind.metric]: value },
    }) as Reading;

  // Made before the clock starts: the figure is the registry and the engine, not the bench's objects.
  const batch = 500;
  const batches = Array.from({ length: Math.ceil(options.readings / batch) }, (_, b) =>
    Array.from({ length: batch }, (_, k) => reading(b * batch + k, probeKind.normal, clock + b * 1_000)),
  );
  const started = performance.now();
  for (const [b, readings] of batches.entries()) {
    const done = b * batch;
    registry.recordReadings(readings);
    engine.onReadings(readings);
    clock += 1_000;
    if (done % 20_000 === 0) say(`  ${done} readings…`);
  }
  const seconds = (performance.now() - started) / 1000;
  const evaluations = counters.get('rules_evaluated');

  const latencies: number[] = [];
  for (let i = 0; i < 200; i++) {
    const r = reading(i * 7, probeKind.alarming);
    const t0 = performance.now();
    registry.recordReadings([r]);
    engine.onReadings([r]);
    if (!alertStore.open('bench-trigger', r.deviceId)) throw new Error('the trigger rule did not fire');
    latencies.push(performance.now() - t0);
  }
  latencies.sort((a, b) => a - b);
  journal.close();
  return {
    condition: shape,
    rules: options.rules + 1,
    devices: fleet.devices.length,
    readings: options.readings,
    readingsPerSecond: Math.round(options.readings / seconds),
    evaluationsPerReading: Math.round((evaluations / options.readings) * 10) / 10,
    alertLatencyMs: {
      p50: Math.round((latencies[Math.floor(latencies.length * 0.5)] as number) * 100) / 100,
      p99: Math.round((latencies[Math.floor(latencies.length * 0.99)] as number) * 100) / 100,
    },
  };
}

if (import.meta.url === `file://${process.argv[1]}`) {
  const quick = process.argv.includes('--quick');
  for (const condition of ['threshold', 'between'] as const) {
    const result = await rulesBench({
      rules: 10_000,
      devices: 100_000,
      readings: quick ? 20_000 : 100_000,
      condition,
      say: (line) => console.log(`[rules ${condition}] ${line}`),
    });
    console.log(JSON.stringify(result, null, 2));
  }
}
