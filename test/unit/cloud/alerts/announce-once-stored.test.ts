import pino from 'pino';
import { describe, expect, it } from 'vitest';
import { MemoryAlertStore } from '../../../../cloud/alerts/memory-store.ts';
import type { AlertRule } from '../../../../cloud/alerts/schema.ts';
import { AlertService } from '../../../../cloud/alerts/service.ts';
import type { Alert } from '../../../../cloud/alerts/store.ts';
import { Counters } from '../../../../cloud/monitoring/counters.ts';

const rule = { id: 'bin-full', name: 'Bin full', severity: 'warning', channels: ['log'] } as AlertRule;
const subject: Alert['subject'] = { kind: 'device', id: 'bin-1' };
const settle = () => new Promise<void>((resolve) => setImmediate(resolve));

/** A memory store whose inserts wait until `release()` (a database write still on its way). */
class HeldStore extends MemoryAlertStore {
  private held: (() => void)[] = [];
  override async insert(alert: Alert, actor: string): Promise<void> {
    await new Promise<void>((resolve) => this.held.push(resolve));
    return super.insert(alert, actor);
  }
  release(): void {
    for (const resolve of this.held.splice(0)) resolve();
  }
}

function service(store: MemoryAlertStore, now: () => Date) {
  const announced: string[] = [];
  const points: string[] = [];
  const alerts = new AlertService({
    store,
    points: { write: async (lines) => void points.push(...lines) },
    counters: new Counters(),
    log: pino({ level: 'silent' }),
    announcer: {
      announce: (_channels, alert, transition) => void announced.push(`${transition} ${alert.id}`),
    },
    now,
  });
  return { alerts, announced, points };
}

describe('alert transitions are announced once stored', () => {
  it('a fired alert is announced (and its alert_event written) only after the store has it', async () => {
    const store = new HeldStore();
    const { alerts, announced, points } = service(store, () => new Date('2026-11-30T10:00:00Z'));
    const alert = alerts.fire(rule, subject, 'full');
    await settle();
    expect(announced).toEqual([]);
    expect(points).toEqual([]);
    store.release();
    await settle();
    expect(announced).toEqual([`fired ${alert.id}`]);
    expect(points).toHaveLength(1);
  });

  it('a node taking over announces again the open alerts fired since the given instant, and only those', async () => {
    const store = new MemoryAlertStore();
    let now = new Date('2026-11-30T10:00:00Z');
    const before = service(store, () => now);
    const old = before.alerts.fire(rule, subject, 'full');
    now = new Date('2026-11-30T10:05:00Z');
    const recent = before.alerts.fire({ ...rule, id: 'bin-fire' }, subject, 'smoke');
    await settle();
    const after = service(store, () => now);
    expect(after.alerts.announceFiredSince('2026-11-30T10:05:00.000Z')).toBe(1);
    expect(after.announced).toEqual([`fired ${recent.id}`]);
    expect(after.alerts.announceFiredSince('2026-11-30T10:00:00.000Z')).toBe(2);
    expect(after.announced).toContain(`fired ${old.id}`);
  });
});
