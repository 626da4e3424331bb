import type { Logger } from 'pino';
import type { Clock } from '../../shared/clock.ts';
import type { DeviceEvent, Reading } from '../../shared/kinds/index.ts';
import type { AlertStore } from '../alerts/store.ts';
import type { Counters } from '../monitoring/counters.ts';
import type { Notifier } from '../notifications/notifier.ts';
import { startDigest } from '../notifications/scheduler.ts';
import type { DeviceRegistry } from '../registry/registry.ts';
import type { PointWriter } from '../storage/point-writer.ts';
import { createRulesRuntime, type RulesRuntimeDependencies } from './runtime.ts';
import { isActive } from './schedule.ts';
import { RuleService } from './service.ts';
import type { RuleStateStore } from './state.ts';
import { type RuleStore, readKindRulePacks, readRulePack } from './store.ts';

/**
 * On taking over the rules, the open alerts fired this recently are announced again: the node before
 * may have stored one and died before announcing it (its writes to PostgreSQL can wait up to a minute).
 */
const reannounceWindowMs = 10 * 60_000;

export interface AlertingFeatureDeps {
  stores: { alerts: AlertStore; rules: RuleStore; ruleStates: RuleStateStore };
  registry: DeviceRegistry;
  /** Where alert transitions are written (`alert_event`). */
  points: PointWriter;
  notifier: Notifier;
  counters: Counters;
  log: Logger;
  now: () => Date;
  /** The default rule pack's folder, read at start. */
  rulesDir: string;
  /** Holds `<kind>/rules.json`: each kind's default rules. */
  kindRulesDir: string;
  /** How often (real milliseconds) timed conditions (absence, `for`, auto-clear, schedules, groups) are evaluated. */
  tickMs: number;
  digestCron: string;
  /** The clock the digest's schedule follows (a simulated one in the demo); `now` reads its time. */
  clock?: Clock;
  /** Told of every change of an alert (the live stream). */
  onAlertChange?: RulesRuntimeDependencies['onAlertChange'];
  /**
   * Cluster mode: whether this node evaluates the tenant's rules now (it holds their lease); the
   * engine, its timers and the digest do nothing otherwise. Always, by default.
   */
  evaluates?: () => boolean;
  /** Cluster mode: a rule changed through this node's API (the other nodes are told). */
  onRulesChanged?: () => void;
}

/**
 * Rules, alerts and their notifications: the rule set (default pack + API changes), the engine and
 * alert service, every transition announced through the notifier, the timer of timed conditions,
 * and the daily digest. A rule that fails is counted and logged, never thrown into
 * ingestion.
 */
export function alertingFeature(deps: AlertingFeatureDeps) {
  const { stores, registry, counters, log, now, notifier } = deps;
  const states = stores.ruleStates;
  const { alertStore, alerts, engine } = createRulesRuntime({
    alertStore: stores.alerts,
    states,
    points: deps.points,
    registry,
    counters,
    log,
    now,
    announcer: {
      announce: (channels, alert, transition, at) =>
        notifier.dispatch(channels, {
          alertId: alert.id,
          ruleId: alert.ruleId,
          ruleName: alert.ruleName,
          severity: alert.severity,
          transition,
          subject: alert.subject,
          at,
          summary: alert.summary,
        }),
    },
    isActive: (rule, at, city) => !rule.schedule || !city || isActive(rule.schedule, at, city),
    onAlertChange: deps.onAlertChange,
    evaluates: deps.evaluates,
  });
  const rules = new RuleService(stores.rules, engine, now, deps.onRulesChanged);
  const guarded = (what: string, evaluate: () => void) => {
    try {
      evaluate();
    } catch (error) {
      counters.add('rules_errors');
      log.error({ err: error }, what);
    }
  };
  let timer: NodeJS.Timeout | undefined;
  const stopJobs: (() => Promise<void>)[] = [];
  // The timed evaluation runs in slices (RuleEngine.tickInSlices): stopping ends it and waits for it.
  const stopping = new AbortController();
  let ticking: Promise<void> = Promise.resolve();
  const stopAll = async () => {
    clearInterval(timer);
    stopping.abort();
    await ticking;
    await Promise.all(stopJobs.splice(0).map((stop) => stop()));
  };
  return {
    name: 'alerting',
    alertStore,
    /** Rule evaluation state (the pruning job forgets what is long cleared). */
    ruleStates: states,
    alerts,
    rules,
    /** Evaluates the rules on readings and events ingestion accepted. */
    evaluate(accepted: { readings: Reading[]; events: DeviceEvent[] }): void {
      guarded('rule evaluation failed', () => {
        engine.onReadings(accepted.readings);
        engine.onEvents(accepted.events);
      });
    },
    /** Resolves once the alerts and rule state written so far are stored (cluster mode acknowledges a batch then). */
    async settled(): Promise<void> {
      await Promise.all([alertStore.settled?.(), states.settled?.()]);
    },
    /** Reads the rule definitions again (another node changed them). */
    reload: () => rules.reload(),
    /** This node takes over the tenant's rules: what other nodes changed is loaded first. */
    async takeOver(): Promise<void> {
      await Promise.all([alertStore.refresh?.(), states.refresh?.()]);
      await rules.reload();
      const since = new Date(now().getTime() - reannounceWindowMs).toISOString();
      const again = alerts.announceFiredSince(since);
      if (again > 0)
        log.info({ alerts: again }, 'open alerts of the last minutes announced again (sent once each)');
    },
    async start() {
      await rules.load([
        ...(await readKindRulePacks(deps.kindRulesDir)),
        ...(await readRulePack(deps.rulesDir)),
      ]);
      const timezone = registry.city?.timezone ?? 'UTC';
      const daysAgo = (days: number) => new Date(now().getTime() - days * 86_400_000).toISOString();
      try {
        stopJobs.push(
          startDigest({
            cron: deps.digestCron,
            channels: notifier.channelNames(),
            timezone,
            log,
            now,
            clock: deps.clock,
            collect: () => alertStore.summary(daysAgo(1), now().toISOString()),
            // In cluster mode the node that evaluates the rules sends it: once.
            notify: async (channels, digest) =>
              (deps.evaluates?.() ?? true) ? notifier.digest(channels, digest) : undefined,
          }),
        );
      } catch (error) {
        await stopAll();
        throw error;
      }
      timer = setInterval(() => {
        ticking = engine.tickInSlices(stopping.signal).catch((error: Error) => {
          counters.add('rules_errors');
          log.error({ err: error }, 'timed rule evaluation failed');
        });
      }, deps.tickMs);
    },
    stop: stopAll,
  };
}
