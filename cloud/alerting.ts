import { readFile } from 'node:fs/promises';
import type { DatabaseSync } from 'node:sqlite';
import type { Logger } from 'pino';
import { SqliteAlertStore } from './alerts/sqlite-store.ts';
import type { CloudConfig } from './config.ts';
import type { Journal } from './ingest/journal.ts';
import type { Counters } from './ingest/stats.ts';
import { createNotifications } from './notifications/factory.ts';
import { startDigest, startPruning } from './notifications/scheduler.ts';
import type { DeviceRegistry } from './registry/registry.ts';
import { createRulesRuntime } from './rules/runtime.ts';
import { isActive } from './rules/schedule.ts';
import { RuleService } from './rules/service.ts';
import { SqliteRuleStateStore } from './rules/sqlite-state.ts';
import { SqliteRuleStore } from './rules/sqlite-store.ts';
import { readRulePack } from './rules/store.ts';

export interface AlertingDependencies {
  config: CloudConfig;
  db: DatabaseSync;
  journal: Journal;
  registry: DeviceRegistry;
  counters: Counters;
  log: Logger;
  now: () => Date;
  /** The broker's publish, for the MQTT notification channel. */
  publish: (topic: string, payload: string) => Promise<void>;
}

/** The notification channels: the file's list, or a log channel and MQTT on city/v1/alerts. */
async function readNotificationChannels(path: string | undefined): Promise<unknown> {
  if (!path)
    return [
      { name: 'log', type: 'log' },
      { name: 'mqtt', type: 'mqtt', topic: 'city/v1/alerts' },
    ];
  try {
    return JSON.parse(await readFile(path, 'utf8'));
  } catch (error) {
    throw new Error(`notification channels file ${path}: ${(error as Error).message}`);
  }
}

/**
 * Rules, alerts and notifications, wired: the rule set (default pack + API changes), the engine and
 * alert service, the notifier every transition is announced through, and the daily digest and
 * pruning jobs (stop them with `stopJobs`).
 */
export async function startAlerting(deps: AlertingDependencies) {
  const { config, db, journal, registry, counters, log, now } = deps;
  const { notifier } = createNotifications(await readNotificationChannels(config.NOTIFICATIONS_FILE), {
    db,
    log,
    counters,
    now,
    publish: deps.publish,
  });
  const { alertStore, alerts, engine } = createRulesRuntime({
    alertStore: new SqliteAlertStore(db),
    states: new SqliteRuleStateStore(db),
    journal,
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
          severity: alert.severity as 'info',
          transition,
          subject: alert.subject,
          at,
          summary: alert.summary,
        }),
    },
    isActive: (rule, at, city) => !rule.schedule || !city || isActive(rule.schedule, at, city),
  });
  const rules = new RuleService(new SqliteRuleStore(db), engine, now);
  await rules.load(await readRulePack(config.RULES_DIR));
  const timezone = registry.city?.timezone ?? 'UTC';
  const daysAgo = (days: number) => new Date(now().getTime() - days * 86_400_000).toISOString();
  const stopJobs = [
    startDigest({
      cron: config.DIGEST_CRON,
      channels: notifier.channelNames(),
      timezone,
      log,
      now,
      collect: () => alertStore.summary(daysAgo(1), now().toISOString()),
      notify: (channels, digest) => notifier.digest(channels, digest),
    }),
    startPruning({
      cron: config.PRUNE_CRON,
      timezone,
      log,
      prune: () => alertStore.pruneResolved(daysAgo(config.ALERT_RETENTION_DAYS)),
    }),
  ];
  return { notifier, alertStore, alerts, engine, rules, stopJobs };
}
