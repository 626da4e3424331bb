import { describe, expect, it } from 'vitest';
import { PostgresAlertStore } from '../../cloud/alerts/postgres-store.ts';
import type { Alert } from '../../cloud/alerts/store.ts';
import { tenantSchemaMigrations } from '../../cloud/postgres/schema-migrations.ts';
import { testDatabase } from '../helpers/postgres.ts';
import { alertStoreConformance } from './alert-store.ts';

const database = testDatabase();

alertStoreConformance('PostgreSQL', async () =>
  PostgresAlertStore.open(await database.schema(tenantSchemaMigrations)),
);

describe('PostgresAlertStore', () => {
  const alert = (id: string, subject: string): Alert => ({
    id,
    ruleId: 'lamp-out',
    ruleName: 'Lamp out',
    severity: 'warning',
    subject: { kind: 'device', id: subject },
    state: 'firing',
    summary: 's',
    firedAt: '2026-11-22T10:00:00.000Z',
    lastMatchAt: '2026-11-22T10:00:00.000Z',
  });

  it('finds the open alerts again after a restart', async () => {
    const schema = await database.schema(tenantSchemaMigrations);
    const first = await PostgresAlertStore.open(schema);
    await first.insert(alert('a1', 'lamp-1'), 'rules');
    await first.insert(alert('a2', 'lamp-2'), 'rules');
    await first.update('a2', { state: 'resolved', resolvedAt: '2026-11-22T10:01:00.000Z' });
    const second = await PostgresAlertStore.open(schema);
    expect(second.open('lamp-out', 'lamp-1')?.id).toBe('a1');
    expect(second.allOpen().map((a) => a.id)).toEqual(['a1']);
  });

  it("two nodes: one sees the other's alerts in the database at once, in its open view after a refresh", async () => {
    const schema = await database.schema(tenantSchemaMigrations);
    const a = await PostgresAlertStore.open(schema);
    const b = await PostgresAlertStore.open(schema);
    await a.insert(alert('a1', 'lamp-1'), 'rules');
    expect((await b.get('a1'))?.state).toBe('firing');
    expect(b.open('lamp-out', 'lamp-1')).toBeUndefined();
    await b.refresh();
    expect(b.open('lamp-out', 'lamp-1')?.id).toBe('a1');
    // An operator resolves it through the other node: that node's view follows its own write.
    await b.update('a1', { state: 'resolved', resolvedAt: '2026-11-22T10:05:00.000Z' });
    expect(b.allOpen()).toEqual([]);
    expect(a.open('lamp-out', 'lamp-1')?.id).toBe('a1');
    await a.refresh();
    expect(a.allOpen()).toEqual([]);
  });

  it('keeps the alerts it changes while a refresh is under way', async () => {
    const schema = await database.schema(tenantSchemaMigrations);
    const store = await PostgresAlertStore.open(schema);
    await store.insert(alert('a1', 'lamp-1'), 'rules');
    const refreshed = store.refresh();
    const inserted = store.insert(alert('a2', 'lamp-2'), 'rules');
    const resolved = store.update('a1', { state: 'resolved', resolvedAt: '2026-11-22T10:05:00.000Z' });
    expect(store.allOpen().map((a) => a.id)).toEqual(['a2']);
    await Promise.all([refreshed, inserted, resolved]);
    expect(store.allOpen().map((a) => a.id)).toEqual(['a2']);
  });

  it('a write the database refuses rejects its own promise, and the writes after it still run', async () => {
    const schema = await database.schema(tenantSchemaMigrations);
    const store = await PostgresAlertStore.open(schema);
    await store.insert(alert('a1', 'lamp-1'), 'rules');
    const duplicate = store.insert(alert('a1', 'lamp-2'), 'rules');
    const next = store.insert(alert('a2', 'lamp-3'), 'rules');
    await expect(duplicate).rejects.toThrow(/duplicate key/);
    await next;
    expect((await store.list({ limit: 10, offset: 0 })).total).toBe(2);
  });

  it('a write that loses its connection waits for PostgreSQL, and is stored once', async () => {
    const schema = await database.schema(tenantSchemaMigrations);
    const retry = { firstDelayMs: 10, maxDelayMs: 100, giveUpAfterMs: 30_000 };
    const store = await PostgresAlertStore.open(schema, { retry });
    const pool = await database.pool();
    const waiting = `SELECT pid FROM pg_stat_activity WHERE datname = current_database() AND wait_event_type = 'Lock'`;
    const blocker = await pool.connect();
    try {
      await blocker.query('BEGIN');
      await blocker.query(`LOCK TABLE ${schema.name}.alerts IN ACCESS EXCLUSIVE MODE`);
      const inserted = store.insert(alert('a1', 'lamp-1'), 'rules');
      const updated = store.update(
        'a1',
        { state: 'acknowledged' },
        { at: 'x', actor: 'ops', action: 'acknowledged' },
      );
      // The insert waits for the lock; then its connection is cut, as a restart of PostgreSQL would.
      await expect.poll(async () => (await pool.query(waiting)).rowCount).toBe(1);
      await pool.query(`SELECT pg_terminate_backend(pid) FROM (${waiting}) w`);
      await blocker.query('COMMIT');
      await Promise.all([inserted, updated]);
    } finally {
      blocker.release();
    }
    expect((await store.get('a1'))?.history.map((h) => h.action)).toEqual(['fired', 'acknowledged']);
  });
});
