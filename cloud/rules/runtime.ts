import type { Logger } from 'pino';
import { type AlertAnnouncer, AlertService } from '../alerts/service.ts';
import type { AlertStore } from '../alerts/store.ts';
import type { Journal } from '../ingest/journal.ts';
import type { Counters } from '../ingest/stats.ts';
import type { DeviceRegistry } from '../registry/registry.ts';
import { type EngineOptions, RuleEngine } from './engine.ts';
import type { RuleStateStore } from './state.ts';

export interface RulesRuntimeDependencies {
  alertStore: AlertStore;
  states: RuleStateStore;
  journal: Journal;
  registry: DeviceRegistry;
  counters: Counters;
  log: Logger;
  now: () => Date;
  announcer: AlertAnnouncer;
  isActive: EngineOptions['isActive'];
}

/** The engine with its alert service, over the stores given: the cloud's (SQLite), a dry run's or a benchmark's (in memory). */
export function createRulesRuntime(deps: RulesRuntimeDependencies) {
  const { alertStore, states, journal, registry, counters, log, now, announcer, isActive } = deps;
  const alerts = new AlertService({ store: alertStore, journal, counters, log, now, announcer });
  const engine = new RuleEngine({
    alerts,
    alertStore,
    registry,
    states,
    counters,
    log,
    now,
    isActive,
  });
  return { alertStore, alerts, engine };
}
