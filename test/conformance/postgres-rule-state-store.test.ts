import { describe, expect, it } from 'vitest';
import { tenantSchemaMigrations } from '../../cloud/postgres/schema-migrations.ts';
import { PostgresRuleStateStore } from '../../cloud/rules/postgres-state.ts';
import { testDatabase } from '../helpers/postgres.ts';
import { ruleStateStoreConformance } from './rule-state-store.ts';

const database = testDatabase();

ruleStateStoreConformance('PostgreSQL', async () =>
  PostgresRuleStateStore.open(await database.schema(tenantSchemaMigrations)),
);

describe('PostgresRuleStateStore', () => {
  it('keeps the state across a restart, except for forgotten rules and pruned states', async () => {
    const schema = await database.schema(tenantSchemaMigrations);
    const first = await PostgresRuleStateStore.open(schema);
    await first.set('r1', 'lamp-1', { since: 1_000, clearedAt: 500 });
    await first.set('r2', 'lamp-1', { since: 2_000 });
    await first.set('r3', 'lamp-1', { clearedAt: 1_000 });
    await first.set('r3', 'lamp-2', { clearedAt: 9_000 });
    await first.forgetRule('r2');
    expect(await first.pruneCleared(5_000)).toBe(1);
    const second = await PostgresRuleStateStore.open(schema);
    expect(second.get('r1', 'lamp-1')).toEqual({ since: 1_000, clearedAt: 500 });
    expect(second.pending('r2')).toEqual([]);
    expect(second.get('r3', 'lamp-1')).toEqual({});
    expect(second.get('r3', 'lamp-2')).toEqual({ clearedAt: 9_000 });
  });

  it('keeps epoch milliseconds past 32 bits exactly', async () => {
    const schema = await database.schema(tenantSchemaMigrations);
    const first = await PostgresRuleStateStore.open(schema);
    const since = Date.parse('2026-11-22T10:00:00.123Z');
    await first.set('r1', 'lamp-1', { since });
    expect((await PostgresRuleStateStore.open(schema)).get('r1', 'lamp-1')).toEqual({ since });
  });

  it('keeps what it is told while a refresh is under way, and what another node wrote before', async () => {
    const schema = await database.schema(tenantSchemaMigrations);
    const here = await PostgresRuleStateStore.open(schema);
    const other = await PostgresRuleStateStore.open(schema);
    await other.set('r1', 'lamp-9', { since: 9 });
    await here.set('r1', 'lamp-2', { since: 2 });
    const refreshed = here.refresh();
    const set = here.set('r1', 'lamp-1', { since: 1 });
    const forgotten = here.forgetRule('r0');
    const cleared = here.set('r1', 'lamp-2', { clearedAt: 5 });
    await Promise.all([refreshed, set, forgotten, cleared]);
    expect(here.pending('r1').sort()).toEqual(['lamp-1', 'lamp-9']);
    expect(here.get('r1', 'lamp-2')).toEqual({ clearedAt: 5 });
  });
});
