import type { DatabaseSync } from 'node:sqlite';
import { schemaVersion } from '../../cloud/sqlite/migrations.ts';
import { importTable } from './import-store.ts';
import type { PartFile } from './part-file.ts';
import { tableSchema, tablesOf, writeTable } from './store-parts.ts';
import type { TablePartSchema } from './table-rows.ts';
import type { TableSpec } from './tables.ts';

/**
 * A tenant's stores as the tables an export writes and an import fills: its SQLite `cloud.db` or its
 * PostgreSQL schema (scripts/tenant/postgres-tables.ts). Rows are in SQLite's shape either way (a
 * boolean 0 or 1, JSON columns as the JSON they hold), so an export of one imports into the other.
 */
export interface TenantTables {
  /** Where they are, for messages. */
  readonly where: string;
  /** Every table there (an export refuses one that scripts/tenant/tables.ts does not know). */
  tables(): Promise<string[]>;
  /** The schema version of the tenant's database the rows are shaped as (`storeSchemaVersion`). */
  schemaVersion(): Promise<number>;
  /** Reads from here on from one moment of the tenant (one read transaction). */
  snapshot(): Promise<void>;
  tableSchema(spec: TableSpec): Promise<TablePartSchema>;
  /** Writes a table as NDJSON, one row a line with its children nested, read a few at a time. */
  writeTable(
    spec: TableSpec,
    schema: TablePartSchema,
    part: PartFile,
    tick: (rows: number) => void,
  ): Promise<void>;
  /** Fills a table from a part in one transaction: whole or not at all. Returns the rows. */
  importTable(
    folder: string,
    path: string,
    schema: TablePartSchema,
    tick: (rows: number) => void,
  ): Promise<number>;
  close(): Promise<void>;
}

/**
 * A tenant's `cloud.db` (opened by the caller, closed by `close`). `sources`: tables whose rows are
 * read from a query instead (the devices with their seen state from `seen.db`).
 */
export function sqliteTenantTables(
  db: DatabaseSync,
  where: string,
  sources: Record<string, string> = {},
): TenantTables {
  return {
    where,
    tables: async () => tablesOf(db),
    schemaVersion: async () => schemaVersion(db),
    // WAL: the running cloud's writers are not held up by this read transaction.
    snapshot: async () => db.exec('BEGIN'),
    tableSchema: async (spec) => tableSchema(db, spec),
    writeTable: (spec, schema, part, tick) => writeTable(db, spec, schema, part, tick, sources[spec.table]),
    importTable: (folder, path, schema, tick) => importTable(db, folder, path, schema, tick),
    close: async () => db.close(),
  };
}
