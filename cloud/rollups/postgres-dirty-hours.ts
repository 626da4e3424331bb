import type { PgSchema } from '../postgres/schema-name.ts';
import {
  type DirtyHour,
  type DirtyHourStore,
  type HourKey,
  type RollupState,
  rollupState,
} from './dirty-hours.ts';

interface Row {
  measurement: string;
  hour: string;
  seq: string;
}

/**
 * Dirty hours in PostgreSQL (one tenant's schema, cluster mode): every storage worker marks the hours
 * it wrote into, one leader computes them (cloud/cluster/rollup-leader.ts). A mark takes its seq from a
 * sequence: `nextval` hands out a value above every one handed out before, so a mark made after
 * `dirty()` answered always has a higher seq than the one taken, whichever worker made it.
 */
export class PostgresDirtyHourStore implements DirtyHourStore {
  private readonly schema: PgSchema;

  constructor(schema: PgSchema) {
    this.schema = schema;
  }

  async mark(hours: readonly HourKey[]): Promise<void> {
    if (hours.length === 0) return;
    const s = this.schema.name;
    await this.schema.pool.query(
      `INSERT INTO ${s}.rollup_dirty_hours (measurement, hour, seq)
       SELECT m, h, nextval('${s}.rollup_mark_seq') FROM unnest($1::text[], $2::bigint[]) AS marks (m, h)
       ON CONFLICT (measurement, hour) DO UPDATE SET seq = EXCLUDED.seq`,
      [hours.map((h) => h.measurement), hours.map((h) => h.hour)],
    );
  }

  async dirty(limit: number): Promise<DirtyHour[]> {
    const { rows } = await this.schema.pool.query<Row>(
      `SELECT measurement, hour, seq FROM ${this.schema.name}.rollup_dirty_hours
       ORDER BY hour DESC, measurement COLLATE "C" LIMIT $1`,
      [Math.min(limit, Number.MAX_SAFE_INTEGER)],
    );
    return rows.map((r) => ({ measurement: r.measurement, hour: Number(r.hour), seq: Number(r.seq) }));
  }

  async count(): Promise<number> {
    const { rows } = await this.schema.pool.query<{ n: string }>(
      `SELECT count(*) AS n FROM ${this.schema.name}.rollup_dirty_hours`,
    );
    return Number(rows[0]?.n ?? 0);
  }

  async clear(done: readonly DirtyHour[]): Promise<void> {
    if (done.length === 0) return;
    await this.schema.pool.query(
      `DELETE FROM ${this.schema.name}.rollup_dirty_hours AS d
       USING unnest($1::text[], $2::bigint[], $3::bigint[]) AS t (m, h, q)
       WHERE d.measurement = t.m AND d.hour = t.h AND d.seq = t.q`,
      [done.map((d) => d.measurement), done.map((d) => d.hour), done.map((d) => d.seq)],
    );
  }

  async readState(): Promise<RollupState> {
    const { rows } = await this.schema.pool.query<{ state: string }>(
      `SELECT state FROM ${this.schema.name}.rollup_state WHERE one = 1`,
    );
    return rows[0] ? rollupState.parse(JSON.parse(rows[0].state)) : {};
  }

  async writeState(state: RollupState): Promise<void> {
    await this.schema.pool.query(
      `INSERT INTO ${this.schema.name}.rollup_state (one, state) VALUES (1, $1)
       ON CONFLICT (one) DO UPDATE SET state = EXCLUDED.state`,
      [JSON.stringify(rollupState.parse(state))],
    );
  }
}
