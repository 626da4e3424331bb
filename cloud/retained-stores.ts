import type { AuditLog } from './access/audit.ts';
import type { AlertStore } from './alerts/store.ts';
import type { CommandStore } from './commands/store.ts';
import type { CloudConfig } from './config.ts';
import type { DeadLetterStore } from './dead-letters/store.ts';
import type { DeliveryLog } from './notifications/delivery-log.ts';
import type { SentKeys } from './notifications/sent-keys.ts';
import type { RetainedStore } from './retention/pruning.ts';
import type { RuleStateStore } from './rules/state.ts';

type RetentionSettings = Pick<
  CloudConfig,
  | 'ALERT_RETENTION_DAYS'
  | 'RULE_STATE_RETENTION_DAYS'
  | 'COMMAND_RETENTION_DAYS'
  | 'AUDIT_RETENTION_DAYS'
  | 'DEAD_LETTER_RETENTION_DAYS'
  | 'NOTIFICATION_RETENTION_DAYS'
>;

export interface CloudStores {
  alerts: AlertStore;
  ruleStates: RuleStateStore;
  commands: CommandStore;
  audit: AuditLog;
  deadLetters: DeadLetterStore;
  deliveries: Pick<DeliveryLog, 'pruneBefore'>;
  sentKeys: Pick<SentKeys, 'pruneBefore'>;
}

/**
 * Every store of the cloud's embedded database with its retention, as the pruning job sees it
 * (docs/privacy.md lists them). Readings and events are not here: InfluxDB's retention policy
 * (READINGS_RETENTION_DAYS) drops them; the journal holds points only until InfluxDB has them.
 */
export function retainedStores(config: RetentionSettings, stores: CloudStores): RetainedStore[] {
  const iso = (before: Date) => before.toISOString();
  return [
    {
      name: 'alerts',
      days: config.ALERT_RETENTION_DAYS,
      prune: (before) => stores.alerts.pruneResolved(iso(before)),
    },
    {
      name: 'rule-state',
      days: config.RULE_STATE_RETENTION_DAYS,
      prune: (before) => stores.ruleStates.pruneCleared(before.getTime()),
    },
    {
      name: 'commands',
      days: config.COMMAND_RETENTION_DAYS,
      prune: (before) => stores.commands.pruneFinished(iso(before)),
    },
    {
      name: 'audit',
      days: config.AUDIT_RETENTION_DAYS,
      prune: (before) => stores.audit.pruneBefore(iso(before)),
    },
    {
      name: 'dead-letters',
      days: config.DEAD_LETTER_RETENTION_DAYS,
      prune: (before) => stores.deadLetters.pruneBefore(iso(before)),
    },
    {
      name: 'notification-deliveries',
      days: config.NOTIFICATION_RETENTION_DAYS,
      prune: (before) => stores.deliveries.pruneBefore(iso(before)),
    },
    {
      name: 'notification-sent-keys',
      days: config.NOTIFICATION_RETENTION_DAYS,
      prune: (before) => stores.sentKeys.pruneBefore(iso(before)),
    },
  ];
}
