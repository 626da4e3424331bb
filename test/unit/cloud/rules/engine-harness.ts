import { pino } from 'pino';
import { MemoryAlertStore } from '../../../../cloud/alerts/memory-store.ts';
import type { AlertTransition } from '../../../../cloud/alerts/schema.ts';
import { Counters } from '../../../../cloud/monitoring/counters.ts';
import { MemoryRegistryStore } from '../../../../cloud/registry/memory-store.ts';
import { DeviceRegistry } from '../../../../cloud/registry/registry.ts';
import type { DeviceRecord } from '../../../../cloud/registry/store.ts';
import { MemoryRuleStateStore } from '../../../../cloud/rules/memory-state.ts';
import { createRulesRuntime } from '../../../../cloud/rules/runtime.ts';
import type { Rule, RuleInput } from '../../../../cloud/rules/schema.ts';
import { parseRule } from '../../../../cloud/rules/store.ts';
import type { DeviceEvent, MetricValue, Reading } from '../../../../shared/kinds/index.ts';

export const start = Date.parse('2026-11-22T10:00:00.000Z');
export const second = 1_000;
export const minute = 60_000;

/** A waste-bin rule on the fill level; `overrides` change any part. */
export function binRule(overrides: Partial<RuleInput> = {}): RuleInput {
  return {
    id: 'bin-full',
    name: 'Bin full',
    severity: 'warning',
    target: { kind: 'wasteBin' },
    condition: { type: 'threshold', metric: 'fillingLevel', op: '>', value: 80 },
    ...overrides,
  } as RuleInput;
}

/**
 * The rules engine built from in-memory parts (registry, alert and rule-state stores; alert points go nowhere), with
 * a clock the test moves and a schedule it decides. Devices default to waste bins on gw-1 in centrum.
 */
/** Lets the in-memory stores' writes resolve, and the announcements behind them run. */
const settle = () => new Promise<void>((resolve) => setImmediate(resolve));

export async function engineHarness(devices: Partial<DeviceRecord>[] = [{ id: 'bin-1' }]) {
  let clock = start;
  const now = () => new Date(clock);
  const registryStore = new MemoryRegistryStore();
  await registryStore.saveDevices(
    devices.map((d, i) => ({
      id: `bin-${i + 1}`,
      kind: 'wasteBin' as const,
      gatewayId: 'gw-1',
      district: 'centrum',
      provisioned: true,
      latest: {},
      ...d,
    })),
  );
  const registry = new DeviceRegistry({ store: registryStore, now, offlineAfterMs: 15 * minute });
  await registry.load([]);
  const alertStore = new MemoryAlertStore();
  const states = new MemoryRuleStateStore();
  const counters = new Counters();
  const announced: { transition: AlertTransition; subject: string; severity: string; channels: string[] }[] =
    [];
  let scheduleOpen = true;
  let evaluating = true;
  /** What the engine logged at error level, as pino's JSON objects. */
  const logged: Record<string, unknown>[] = [];
  const log = pino({ level: 'error' }, { write: (line: string) => logged.push(JSON.parse(line)) });
  const { alerts, engine } = createRulesRuntime({
    alertStore,
    states,
    points: { write: () => undefined },
    registry,
    counters,
    log,
    now,
    announcer: {
      announce: (channels, alert, transition) =>
        announced.push({ transition, subject: alert.subject.id, severity: alert.severity, channels }),
    },
    isActive: () => scheduleOpen,
    evaluates: () => evaluating,
  });
  return {
    engine,
    alerts,
    alertStore,
    states,
    counters,
    logged,
    /** Sets the rules (validated, defaults filled in as the API would). */
    rules(...inputs: RuleInput[]): Rule[] {
      const rules = inputs.map((input, i) => parseRule(input, `rule ${i}`));
      engine.setRules(rules);
      return rules;
    },
    get now(): number {
      return clock;
    },
    /** Moves the clock to `start + ms`. */
    at(ms: number): void {
      clock = start + ms;
    },
    advance(ms: number): void {
      clock += ms;
    },
    /** Whether the engine evaluates (in cluster mode: its node holds the tenant's rules lease). */
    evaluating(on: boolean): void {
      evaluating = on;
    },
    /** Opens or closes the schedule of every scheduled rule. */
    schedule(open: boolean): void {
      scheduleOpen = open;
    },
    /** A reading of `metrics`, taken now, recorded by the registry and then evaluated. */
    read(deviceId: string, metrics: Record<string, MetricValue>): void {
      const kind = registry.record(deviceId)?.kind ?? 'wasteBin';
      const reading = { deviceId, kind, ts: now().toISOString(), metrics } as Reading;
      registry.recordReadings([reading]);
      engine.onReadings([reading]);
    },
    event(deviceId: string, type: string): void {
      const kind = registry.record(deviceId)?.kind ?? 'wasteBin';
      engine.onEvents([{ deviceId, kind, type, ts: now().toISOString() } as DeviceEvent]);
    },
    tick(): void {
      engine.tick();
    },
    /** The open alert of a rule for a subject. */
    open(subjectId: string, ruleId = 'bin-full') {
      return alertStore.open(ruleId, subjectId);
    },
    /** Every alert of a rule, oldest first. */
    async history(ruleId = 'bin-full') {
      return (await alertStore.list({ ruleId, limit: 1_000, offset: 0 })).items.reverse();
    },
    /** The transitions announced so far (each is announced once its write is stored: awaited first). */
    async transitions(): Promise<string[]> {
      await settle();
      return announced.map((a) => `${a.transition} ${a.subject}`);
    },
    /** What was announced so far, with channels and severity, once the writes before it are stored. */
    async announcements() {
      await settle();
      return announced;
    },
  };
}
