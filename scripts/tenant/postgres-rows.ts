/**
 * How a row of a tenant's PostgreSQL schema differs from the same row in SQLite, both ways: what
 * scripts/tenant/postgres-tables.ts applies so that an export has one shape wherever it came from.
 */
import { versioned } from '../../cloud/gateway-config/store.ts';

/** A value as SQLite stores it (and an export's row is made of). */
export type StoredValue = string | number | null;
type Row = Record<string, unknown>;

/** A column as PostgreSQL has it. */
export interface PgColumn {
  type: string;
  /** Filled from a sequence when not given (`BIGSERIAL`). */
  serial: boolean;
}

/**
 * An SQLite column that a PostgreSQL table keeps in other columns: read from them, written to them.
 * A gateway's configuration is kept without its `v` and `version` (the version is a column of its own).
 */
export interface DerivedColumn {
  from: string[];
  read(row: Row): StoredValue;
  write(text: string): Row;
}

export const derived: Record<string, Record<string, DerivedColumn>> = {
  gateway_configs: {
    config: {
      from: ['version', 'change'],
      read: (row) => JSON.stringify(versioned(Number(row.version), JSON.parse(String(row.change)))),
      write(text) {
        const { v: _v, version: _version, ...change } = JSON.parse(text);
        return { change: JSON.stringify(change) };
      },
    },
  },
};

/** `pg` answers BIGINT as text and BOOLEAN as true/false; SQLite's shape is a number. */
export function fromPg(value: unknown, column: PgColumn | undefined): unknown {
  if (value === null || value === undefined) return null;
  if (column?.type === 'boolean') return value ? 1 : 0;
  if (column?.type === 'bigint') return Number(value);
  return value;
}

export function toPg(value: StoredValue, column: PgColumn): StoredValue | boolean {
  if (value !== null && column.type === 'boolean') return value !== 0;
  return value;
}
