import { describe, expect, it } from 'vitest';
import { SqliteRuleStateStore } from '../../cloud/rules/sqlite-state.ts';
import { openSqlite } from '../../cloud/sqlite/sqlite.ts';
import { ruleStateStoreConformance } from './rule-state-store.ts';

ruleStateStoreConformance('SQLite', () => new SqliteRuleStateStore(openSqlite(':memory:')));

describe('SqliteRuleStateStore', () => {
  it('keeps the state across a restart, except for forgotten rules', async () => {
    const db = openSqlite(':memory:');
    const first = new SqliteRuleStateStore(db);
    await first.set('r1', 'lamp-1', { since: 1_000, clearedAt: 500 });
    await first.set('r2', 'lamp-1', { since: 2_000 });
    await first.forgetRule('r2');
    const second = new SqliteRuleStateStore(db);
    expect(second.get('r1', 'lamp-1')).toEqual({ since: 1_000, clearedAt: 500 });
    expect(second.pending('r2')).toEqual([]);
  });

  it('forgets pruned states on disk too: a restart does not bring them back', async () => {
    const db = openSqlite(':memory:');
    const first = new SqliteRuleStateStore(db);
    await first.set('r1', 'lamp-1', { clearedAt: 1_000 });
    await first.set('r1', 'lamp-2', { clearedAt: 9_000 });
    await first.pruneCleared(5_000);
    const second = new SqliteRuleStateStore(db);
    expect(second.get('r1', 'lamp-1')).toEqual({});
    expect(second.get('r1', 'lamp-2')).toEqual({ clearedAt: 9_000 });
  });
});
