import { pino } from 'pino';
import { z } from 'zod';
import type { City } from '../../shared/fleet.ts';
import type { DeviceEvent, MetricValue, Reading } from '../../shared/kinds/index.ts';
import { MemoryAlertStore } from '../alerts/memory-store.ts';
import { Counters } from '../monitoring/counters.ts';
import { MemoryRegistryStore } from '../registry/memory-store.ts';
import { DeviceRegistry } from '../registry/registry.ts';
import type { DeviceRecord } from '../registry/store.ts';
import type { InfluxConnection } from '../storage/influx.ts';
import { quoteIdent, rows } from '../storage/influxql.ts';
import { eventsOf, metricsOf } from './conditions.ts';
import { MemoryRuleStateStore } from './memory-state.ts';
import { createRulesRuntime } from './runtime.ts';
import type { Rule } from './schema.ts';

/** What a rule would have done over the last hours: the data replayed and the alerts it fired. */
export const dryRunResult = z
  .object({
    from: z.string(),
    to: z.string(),
    readings: z.int(),
    events: z.int(),
    fired: z.int(),
    devices: z.array(z.object({ subject: z.string(), fired: z.int(), firstAt: z.string() })),
  })
  .meta({ id: 'DryRunResult' });
export type DryRunResult = z.infer<typeof dryRunResult>;

/**
 * Evaluates a rule against the last hours of InfluxDB data before it is saved: the readings and
 * events are replayed in time order through the real engine, with an in-memory registry, alert store
 * and state, and a clock that follows the data (the timer runs once per simulated minute).
 */
export async function dryRun(
  rule: Rule,
  hours: number,
  sources: {
    influx: InfluxConnection;
    /** The registry's devices of the rule's kind (their latest values are rebuilt from the data). */
    devices: DeviceRecord[];
    city: City | undefined;
    now: Date;
    isActive: (rule: Rule, at: Date, city: City | undefined) => boolean;
  },
): Promise<DryRunResult> {
  const to = sources.now.getTime();
  const from = to - hours * 3_600_000;
  const metrics = new Set<string>();
  for (const c of [rule.condition, ...(rule.clear ? [rule.clear] : [])])
    for (const m of metricsOf(c).keys()) metrics.add(m);
  const eventTypes = new Set<string>();
  for (const c of [rule.condition, ...(rule.clear ? [rule.clear] : [])])
    for (const e of eventsOf(c)) eventTypes.add(e);
  const window = `time >= ${from}ms AND time <= ${to}ms`;
  const readings: Reading[] = [];
  if (metrics.size > 0) {
    const [series] = await sources.influx.select(
      `SELECT ${[...metrics].map(quoteIdent).join(', ')}, "device" FROM ${quoteIdent(rule.target.kind)} WHERE ${window}`,
    );
    for (const row of rows(series)) {
      const values = Object.fromEntries(
        [...metrics]
          .filter((m) => row[m] !== null && row[m] !== undefined)
          .map((m) => [m, row[m] as MetricValue]),
      );
      if (Object.keys(values).length > 0) {
        readings.push({
          deviceId: String(row.device),
          kind: rule.target.kind,
          ts: new Date(Number(row.time)).toISOString(),
          metrics: values,
        } as Reading);
      }
    }
  }
  const events: DeviceEvent[] = [];
  if (eventTypes.size > 0) {
    const [series] = await sources.influx.select(
      `SELECT "type", "device", "count" FROM "device_event" WHERE ${window} AND "kind" = '${rule.target.kind}'`,
    );
    for (const row of rows(series)) {
      if (eventTypes.has(String(row.type))) {
        events.push({
          deviceId: String(row.device),
          kind: rule.target.kind,
          type: row.type,
          ts: new Date(Number(row.time)).toISOString(),
        } as DeviceEvent);
      }
    }
  }

  let clock = from;
  const now = () => new Date(clock);
  const counters = new Counters();
  const store = new MemoryRegistryStore();
  await store.saveDevices(
    sources.devices.map((d) => ({
      ...d,
      latest: {},
      latestTs: undefined,
      firstSeen: undefined,
      lastSeen: undefined,
    })),
  );
  const registry = new DeviceRegistry({ store, now, offlineAfterMs: 15 * 60_000 });
  await registry.load([]);
  const { alertStore, engine } = createRulesRuntime({
    alertStore: new MemoryAlertStore(),
    states: new MemoryRuleStateStore(),
    // A dry run writes nothing: its alerts only count.
    points: { write: () => undefined },
    registry,
    counters,
    log: pino({ level: 'silent' }),
    now,
    announcer: { announce: () => undefined },
    isActive: (r, at) => sources.isActive(r, at, sources.city),
  });
  engine.setRules([{ ...rule, enabled: true }]);
  const timeline = [
    ...readings.map((r) => ({ t: Date.parse(r.ts), reading: r })),
    ...events.map((e) => ({ t: Date.parse(e.ts), event: e })),
  ].sort((a, b) => a.t - b.t);
  let nextTick = from + 60_000;
  for (const item of timeline) {
    while (nextTick <= item.t) {
      clock = nextTick;
      engine.tick();
      nextTick += 60_000;
    }
    clock = item.t;
    if ('reading' in item && item.reading) {
      if (!registry.getDevice(item.reading.deviceId)) continue;
      registry.recordReadings([item.reading]);
      engine.onReadings([item.reading]);
    } else if ('event' in item && item.event) engine.onEvents([item.event]);
  }
  clock = to;
  engine.tick();
  const fired = (await alertStore.list({ limit: 100_000, offset: 0 })).items;
  const bySubject = Map.groupBy(fired, (a) => a.subject.id);
  return {
    from: new Date(from).toISOString(),
    to: new Date(to).toISOString(),
    readings: readings.length,
    events: events.length,
    fired: fired.length,
    devices: [...bySubject]
      .map(([subject, list]) => ({
        subject,
        fired: list.length,
        firstAt: list.map((a) => a.firedAt).sort()[0] as string,
      }))
      .sort((a, b) => b.fired - a.fired || a.subject.localeCompare(b.subject)),
  };
}
