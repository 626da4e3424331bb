import { inTransaction } from '../postgres/pool.ts';
import type { PgSchema } from '../postgres/schema-name.ts';
import { WriteQueue, type WriteRetry } from '../postgres/write-queue.ts';
import { MemoryRuleStateStore } from './memory-state.ts';
import type { RuleStateStore, SubjectState } from './state.ts';

type Change = (cache: MemoryRuleStateStore) => unknown;

/**
 * Rule evaluation state in PostgreSQL (one tenant's schema, cluster mode), read at `open()` and then
 * served from memory; writes go to the database behind, one after another in the order called.
 *
 * With two nodes on one database each node's memory is its own: a state another node writes is in
 * the database but not here until this node opens the store again (or `refresh()`es it). A `for`
 * duration or a flap guard is kept right only if one node evaluates a rule for a subject at a time
 * (the rules engine partitioned by tenant and gateway); a node taking over a partition refreshes first.
 */
export class PostgresRuleStateStore implements RuleStateStore {
  private readonly schema: PgSchema;
  private readonly writes: WriteQueue;
  private cache = new MemoryRuleStateStore();
  /** For each refresh under way, the changes this node made since it was called. */
  private readonly recording = new Set<Change[]>();

  private constructor(schema: PgSchema, retry?: WriteRetry) {
    this.schema = schema;
    this.writes = new WriteQueue((fn) => inTransaction(schema.pool, fn), retry);
  }

  /** A write that finds PostgreSQL unreachable waits for it (`retry`) with the writes behind it; each is harmless twice. */
  static async open(schema: PgSchema, options: { retry?: WriteRetry } = {}): Promise<PostgresRuleStateStore> {
    const store = new PostgresRuleStateStore(schema, options.retry);
    await store.refresh();
    return store;
  }

  /** Resolves once every write called so far has reached the database (or failed). */
  settled(): Promise<void> {
    return this.writes.settled();
  }

  /**
   * Reads every state from the database again, after the writes called before it; what this node
   * changes meanwhile (its writes queued behind the read) is kept.
   */
  refresh(): Promise<void> {
    const meanwhile: Change[] = [];
    this.recording.add(meanwhile);
    return this.writes.push(async (client) => {
      try {
        const { rows } = await client.query<{
          rule_id: string;
          subject_id: string;
          since: string | null;
          cleared_at: string | null;
        }>(`SELECT rule_id, subject_id, since, cleared_at FROM ${this.schema.name}.rule_state`);
        const cache = new MemoryRuleStateStore();
        for (const row of rows)
          cache.apply(row.rule_id, row.subject_id, {
            since: row.since === null ? undefined : Number(row.since),
            clearedAt: row.cleared_at === null ? undefined : Number(row.cleared_at),
          });
        for (const change of meanwhile) change(cache);
        this.cache = cache;
      } finally {
        this.recording.delete(meanwhile);
      }
    });
  }

  /** Applies a change to the memory now, and to the memory a refresh under way is building. */
  private change<T>(change: (cache: MemoryRuleStateStore) => T): T {
    for (const meanwhile of this.recording) meanwhile.push(change);
    return change(this.cache);
  }

  get(ruleId: string, subjectId: string): SubjectState {
    return this.cache.get(ruleId, subjectId);
  }

  async set(ruleId: string, subjectId: string, state: SubjectState): Promise<void> {
    if (!this.change((cache) => cache.apply(ruleId, subjectId, state))) return this.writes.settled();
    await this.writes.push((client) =>
      client.query(
        `INSERT INTO ${this.schema.name}.rule_state (rule_id, subject_id, since, cleared_at) VALUES ($1, $2, $3, $4)
         ON CONFLICT (rule_id, subject_id) DO UPDATE SET since = EXCLUDED.since, cleared_at = EXCLUDED.cleared_at`,
        [ruleId, subjectId, state.since ?? null, state.clearedAt ?? null],
      ),
    );
  }

  pending(ruleId: string): string[] {
    return this.cache.pending(ruleId);
  }

  pendingRules(subjectId: string): ReadonlySet<string> {
    return this.cache.pendingRules(subjectId);
  }

  async forgetRule(ruleId: string): Promise<void> {
    this.change((cache) => void cache.forgetRule(ruleId));
    await this.writes.push((client) =>
      client.query(`DELETE FROM ${this.schema.name}.rule_state WHERE rule_id = $1`, [ruleId]),
    );
  }

  async pruneCleared(before: number): Promise<number> {
    const stale = this.cache.staleCleared(before);
    const pruned = await this.change((cache) => cache.pruneCleared(before));
    if (stale.length > 0)
      await this.writes.push((client) =>
        client.query(
          `DELETE FROM ${this.schema.name}.rule_state
           WHERE (rule_id, subject_id) IN (SELECT * FROM unnest($1::text[], $2::text[]))`,
          [stale.map(([rule]) => rule), stale.map(([, subject]) => subject)],
        ),
      );
    return pruned;
  }
}
