import type { DatabaseSync } from 'node:sqlite';
import type { PartFile } from './part-file.ts';
import { exportedRow, quoteColumn, type TableColumn, type TablePartSchema } from './table-rows.ts';
import type { ChildSpec, TableSpec } from './tables.ts';

/** The tables of a database (not SQLite's internal ones but `sqlite_sequence`). */
export function tablesOf(db: DatabaseSync): string[] {
  return db
    .prepare(
      "SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_stat%' ORDER BY name",
    )
    .all()
    .map((row) => String(row.name));
}

function columnsOf(
  db: DatabaseSync,
  table: string,
  spec: { json?: string[]; omit?: string[]; computed?: Record<string, string> },
  leave: string[] = [],
): TableColumn[] {
  const stored = db
    .prepare(`PRAGMA table_info(${quoteColumn(table)})`)
    .all()
    .map((row) => ({ name: String(row.name), type: String(row.type) }));
  const names = new Set(stored.map((c) => c.name));
  for (const name of [
    ...(spec.json ?? []),
    ...(spec.omit ?? []),
    ...Object.keys(spec.computed ?? {}),
    ...leave,
  ])
    if (!names.has(name))
      throw new Error(`table ${table} has no column ${name} (scripts/tenant/tables.ts names it)`);
  const left = new Set([...(spec.omit ?? []), ...leave]);
  return stored
    .filter((c) => !left.has(c.name))
    .map((c) => ({ ...c, json: (spec.json ?? []).includes(c.name) }));
}

/** What a table part holds: the table's columns as the database has them, less those left out. */
export function tableSchema(db: DatabaseSync, spec: TableSpec): TablePartSchema {
  return {
    type: 'table',
    description: spec.description,
    table: spec.table,
    columns: columnsOf(db, spec.table, spec),
    children: (spec.children ?? []).map((child: ChildSpec) => ({
      name: child.name,
      table: child.table,
      reference: child.reference,
      parentKey: child.parentKey,
      columns: columnsOf(db, child.table, child, [child.reference]),
    })),
  };
}

function selectList(columns: readonly TableColumn[], computed: Record<string, string> = {}): string {
  return columns
    .map((c) => (computed[c.name] ? `(${computed[c.name]}) AS ${quoteColumn(c.name)}` : quoteColumn(c.name)))
    .join(', ');
}

/**
 * The order a table's rows are exported in: the order they were written (rowid), or for a table
 * without rowids (the registry's devices) its primary key's, the order it keeps them in.
 */
function rowOrder(db: DatabaseSync, table: string): string {
  const listed = db.prepare('SELECT wr FROM pragma_table_list WHERE name = ?').get(table) as
    | { wr: number }
    | undefined;
  if (!listed) throw new Error(`no table ${table} in the store`);
  if (!listed.wr) return 'rowid';
  const key = db.prepare('SELECT name FROM pragma_table_info(?) WHERE pk > 0 ORDER BY pk').all(table) as {
    name: string;
  }[];
  return key.map((column) => quoteColumn(column.name)).join(', ');
}

/**
 * Writes a table as NDJSON, one stored row a line in the order rows were written (rowid) or kept
 * (`rowOrder`), each with
 * its children nested. Rows are read one at a time (a statement iterated), never all at once.
 */
export async function writeTable(
  db: DatabaseSync,
  spec: TableSpec,
  schema: TablePartSchema,
  part: PartFile,
  tick: (rows: number) => void,
  /** What the table's rows are read from instead of the table itself (a query giving its columns). */
  source?: string,
): Promise<void> {
  const children = schema.children.map((child) => ({
    ...child,
    statement: db.prepare(
      `SELECT ${selectList(child.columns)} FROM ${quoteColumn(child.table)} WHERE ${quoteColumn(child.reference)} = ? ORDER BY ${rowOrder(db, child.table)}`,
    ),
  }));
  const rows = db
    .prepare(
      `SELECT ${selectList(schema.columns, spec.computed)} FROM ${source ? `(${source})` : quoteColumn(spec.table)} ORDER BY ${rowOrder(db, spec.table)}`,
    )
    .iterate();
  for (const row of rows) {
    const line = exportedRow(row, schema.columns);
    for (const child of children) {
      const key = row[child.parentKey] as string | number;
      line[child.name] = child.statement.all(key).map((r) => exportedRow(r, child.columns));
    }
    await part.write(`${JSON.stringify(line)}\n`, 1);
    tick(part.rows);
  }
}

/**
 * Writes the points a tenant's ingest journal holds (acknowledged, not yet in InfluxDB), one line of
 * line protocol each: an export of a stopped cloud whose InfluxDB was down has them only there.
 */
export async function writeJournal(
  journal: DatabaseSync | undefined,
  part: PartFile,
  tick: (rows: number) => void,
): Promise<void> {
  if (!journal) return;
  for (const entry of journal.prepare('SELECT lines FROM journal_entries ORDER BY id').iterate()) {
    for (const line of String(entry.lines).split('\n')) {
      if (line === '') continue;
      await part.write(`${line}\n`, 1);
    }
    tick(part.rows);
  }
}
