import type { DatabaseSync } from 'node:sqlite';
import type { Logger } from 'pino';
import { type AlertAnnouncer, AlertService } from '../alerts/service.ts';
import { SqliteAlertStore } from '../alerts/store.ts';
import type { Counters } from '../monitoring/counters.ts';
import type { DeviceRegistry } from '../registry/registry.ts';
import type { PointWriter } from '../storage/point-writer.ts';
import { type EngineOptions, RuleEngine } from './engine.ts';
import { RuleStateStore } from './state.ts';

export interface RulesRuntimeDependencies {
  db: DatabaseSync;
  /** Where alert transitions are written as points. */
  points: PointWriter;
  registry: DeviceRegistry;
  counters: Counters;
  log: Logger;
  now: () => Date;
  announcer: AlertAnnouncer;
  isActive: EngineOptions['isActive'];
}

/** The engine with its alert store, alert service and state, over one database: the cloud's, a dry run's, a benchmark's. */
export function createRulesRuntime(deps: RulesRuntimeDependencies) {
  const { db, points, registry, counters, log, now, announcer, isActive } = deps;
  const alertStore = new SqliteAlertStore(db);
  const alerts = new AlertService({ store: alertStore, points, counters, log, now, announcer });
  const engine = new RuleEngine({
    alerts,
    alertStore,
    registry,
    states: new RuleStateStore(db),
    counters,
    now,
    isActive,
  });
  return { alertStore, alerts, engine };
}
