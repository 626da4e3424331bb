import { describe, expect, it } from 'vitest';
import { SqliteAlertStore } from '../../cloud/alerts/sqlite-store.ts';
import { openSqlite } from '../../cloud/sqlite/sqlite.ts';
import { alertStoreConformance } from './alert-store.ts';

alertStoreConformance('SQLite', () => new SqliteAlertStore(openSqlite(':memory:')));

describe('SqliteAlertStore', () => {
  it('finds the open alerts again after a restart', async () => {
    const db = openSqlite(':memory:');
    const first = new SqliteAlertStore(db);
    const base = {
      ruleId: 'lamp-out',
      ruleName: 'Lamp out',
      severity: 'warning' as const,
      summary: 's',
      firedAt: '2026-11-22T10:00:00.000Z',
      lastMatchAt: '2026-11-22T10:00:00.000Z',
    };
    await first.insert(
      { ...base, id: 'a1', subject: { kind: 'device', id: 'lamp-1' }, state: 'firing' },
      'rules',
    );
    await first.insert(
      { ...base, id: 'a2', subject: { kind: 'device', id: 'lamp-2' }, state: 'firing' },
      'rules',
    );
    await first.update('a2', { state: 'resolved', resolvedAt: '2026-11-22T10:01:00.000Z' });
    const second = new SqliteAlertStore(db);
    expect(second.open('lamp-out', 'lamp-1')?.id).toBe('a1');
    expect(second.allOpen().map((a) => a.id)).toEqual(['a1']);
  });
});
