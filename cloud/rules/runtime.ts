import type { Logger } from 'pino';
import { type AlertAnnouncer, AlertService, type AlertServiceOptions } from '../alerts/service.ts';
import type { AlertStore } from '../alerts/store.ts';
import type { Counters } from '../monitoring/counters.ts';
import type { DeviceRegistry } from '../registry/registry.ts';
import type { PointWriter } from '../storage/point-writer.ts';
import { type EngineOptions, RuleEngine } from './engine.ts';
import type { RuleStateStore } from './state.ts';

export interface RulesRuntimeDependencies {
  alertStore: AlertStore;
  states: RuleStateStore;
  /** Where alert transitions are written as points. */
  points: PointWriter;
  registry: DeviceRegistry;
  counters: Counters;
  log: Logger;
  now: () => Date;
  announcer: AlertAnnouncer;
  onAlertChange?: AlertServiceOptions['onChange'];
  isActive: EngineOptions['isActive'];
  evaluates?: EngineOptions['evaluates'];
}

/** The engine with its alert service, over the stores given: the cloud's (SQLite), a dry run's or a benchmark's (in memory). */
export function createRulesRuntime(deps: RulesRuntimeDependencies) {
  const { alertStore, states, points, registry, counters, log, now, announcer, isActive } = deps;
  const onChange = deps.onAlertChange;
  const alerts = new AlertService({ store: alertStore, points, counters, log, now, announcer, onChange });
  const engine = new RuleEngine({
    alerts,
    alertStore,
    registry,
    states,
    counters,
    log,
    now,
    isActive,
    evaluates: deps.evaluates,
  });
  return { alertStore, alerts, engine };
}
