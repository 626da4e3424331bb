import pino from 'pino';
import { describe, expect, it } from 'vitest';
import { MemoryAuditLog } from '../../../../cloud/access/memory-audit.ts';
import { MemoryAlertStore } from '../../../../cloud/alerts/memory-store.ts';
import { MemoryCommandStore } from '../../../../cloud/commands/memory-store.ts';
import { loadCloudConfig } from '../../../../cloud/config.ts';
import { MemoryDeadLetterStore } from '../../../../cloud/dead-letters/memory-store.ts';
import { SqliteDeliveryLog } from '../../../../cloud/notifications/delivery-log.ts';
import { SqliteSentKeys } from '../../../../cloud/notifications/sent-keys.ts';
import { retainedStores } from '../../../../cloud/retained-stores.ts';
import { runPruning } from '../../../../cloud/retention/pruning.ts';
import { MemoryRuleStateStore } from '../../../../cloud/rules/memory-state.ts';
import { openSqlite } from '../../../../cloud/sqlite/sqlite.ts';

const now = new Date('2026-11-29T03:30:00.000Z');
const daysAgo = (days: number) => new Date(now.getTime() - days * 86_400_000);

/** One record just older and one just younger than `days` in every store. */
async function storesAround(days: Record<string, number>) {
  const stores = {
    alerts: new MemoryAlertStore(),
    ruleStates: new MemoryRuleStateStore(),
    commands: new MemoryCommandStore(),
    audit: new MemoryAuditLog(),
    deadLetters: new MemoryDeadLetterStore(),
    deliveries: new SqliteDeliveryLog(openSqlite(':memory:')),
    sentKeys: new SqliteSentKeys(openSqlite(':memory:')),
  };
  for (const [age, extra] of [
    ['old', 1],
    ['new', -1],
  ] as const) {
    const at = (store: string) => new Date(daysAgo(days[store] as number).getTime() - extra * 60_000);
    const iso = (store: string) => at(store).toISOString();
    await stores.alerts.insert(
      {
        id: age,
        ruleId: 'r',
        ruleName: 'R',
        severity: 'minor',
        subject: { kind: 'device', id: 'lamp-1' },
        state: 'firing',
        summary: 's',
        firedAt: iso('alerts'),
        lastMatchAt: iso('alerts'),
      },
      'rules',
    );
    await stores.alerts.update(age, { state: 'resolved', resolvedAt: iso('alerts') });
    await stores.ruleStates.set('r', age, { clearedAt: at('rule-state').getTime() });
    await stores.commands.insert([
      {
        id: age,
        deviceId: 'lamp-1',
        gatewayId: 'gw-1',
        kind: 'streetlight',
        command: { action: 'switch', on: true },
        status: 'pending',
        createdAt: iso('commands'),
        expiresAt: iso('commands'),
      },
    ]);
    await stores.commands.transition(age, 'succeeded', iso('commands'));
    await stores.audit.record({
      at: iso('audit'),
      actor: 'ops',
      action: 'a',
      target: age,
      before: 1,
      after: 2,
    });
    await stores.deadLetters.add({
      receivedAt: at('dead-letters'),
      topic: 't',
      gatewayId: 'gw-1',
      rejections: [{ reason: 'invalid-json', message: 'x' }],
      size: 2,
      sha256: '0'.repeat(64),
      shape: { format: 'invalid-json' },
    });
    const delivery = {
      id: age,
      channel: 'hook',
      event: 'alert',
      subjectId: age,
      transition: 'fired',
    } as const;
    await stores.deliveries.start(delivery, iso('notification-deliveries'));
    await stores.sentKeys.claim(
      { subjectId: age, transition: 'fired', channel: 'hook' },
      iso('notification-sent-keys'),
    );
  }
  return stores;
}

describe('the stores the pruning job keeps to their retention', () => {
  it('each loses what is older than its own *_RETENTION_DAYS, and keeps the rest', async () => {
    const config = loadCloudConfig({
      ALERT_RETENTION_DAYS: '10',
      RULE_STATE_RETENTION_DAYS: '20',
      COMMAND_RETENTION_DAYS: '30',
      AUDIT_RETENTION_DAYS: '40',
      DEAD_LETTER_RETENTION_DAYS: '50',
      NOTIFICATION_RETENTION_DAYS: '60',
    });
    const days = {
      alerts: 10,
      'rule-state': 20,
      commands: 30,
      audit: 40,
      'dead-letters': 50,
      'notification-deliveries': 60,
      'notification-sent-keys': 60,
    };
    const stores = await storesAround(days);
    const removed = await runPruning({
      stores: retainedStores(config, stores),
      log: pino({ level: 'silent' }),
      now: () => now,
    });
    expect(removed).toEqual(Object.fromEntries(Object.keys(days).map((name) => [name, 1])));
    const page = { limit: 10, offset: 0 };
    expect((await stores.alerts.list(page)).items.map((a) => a.id)).toEqual(['new']);
    expect(stores.ruleStates.get('r', 'old')).toEqual({});
    expect(stores.ruleStates.get('r', 'new')).not.toEqual({});
    expect((await stores.commands.list(page)).items.map((c) => c.id)).toEqual(['new']);
    expect((await stores.audit.list(10, 0)).items.map((e) => e.target)).toEqual(['new']);
    expect((await stores.deadLetters.list(page)).total).toBe(1);
    expect((await stores.deliveries.list()).map((d) => d.id)).toEqual(['new']);
    expect(
      await stores.sentKeys.state({ subjectId: 'old', transition: 'fired', channel: 'hook' }),
    ).toBeUndefined();
    expect(await stores.sentKeys.state({ subjectId: 'new', transition: 'fired', channel: 'hook' })).toBe(
      'sending',
    );
  });

  it('has sane defaults: a year and a month of readings, a year of audit, 90 days of alerts, 30 of dead letters', () => {
    expect(loadCloudConfig({})).toMatchObject({
      READINGS_RETENTION_DAYS: 400,
      ALERT_RETENTION_DAYS: 90,
      RULE_STATE_RETENTION_DAYS: 30,
      COMMAND_RETENTION_DAYS: 90,
      AUDIT_RETENTION_DAYS: 365,
      DEAD_LETTER_RETENTION_DAYS: 30,
      NOTIFICATION_RETENTION_DAYS: 90,
    });
    expect(() => loadCloudConfig({ AUDIT_RETENTION_DAYS: '0' })).toThrow('AUDIT_RETENTION_DAYS');
  });
});
