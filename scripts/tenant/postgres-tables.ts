import { DatabaseSync } from 'node:sqlite';
import type pg from 'pg';
import { cloudDbMigrations } from '../../cloud/schema-migrations.ts';
import { partLines } from './import-store.ts';
import { derived, fromPg, type PgColumn, type StoredValue, toPg } from './postgres-rows.ts';
import { tableSchema } from './store-parts.ts';
import { createStoreTables } from './store-tables.ts';
import { exportedRow, quoteColumn, storedValues, type TableColumn, TableRowError } from './table-rows.ts';
import { postgresTablesLeftOut } from './tables.ts';
import type { TenantTables } from './tenant-tables.ts';

type Row = Record<string, unknown>;

/** Rows of a part held, with their children, until they are inserted (a statement a table). */
const batchRows = 200;

/** The tables as this release's SQLite stores make them: the shape a PostgreSQL schema is exported in. */
let releaseShape: DatabaseSync | undefined;
function releaseTables(): DatabaseSync {
  if (!releaseShape) {
    releaseShape = new DatabaseSync(':memory:');
    createStoreTables(releaseShape);
  }
  return releaseShape;
}

/**
 * A tenant's PostgreSQL schema (`name` unquoted, `t_<id>`) as tables in SQLite's shape, read and
 * written on one connection of its own: an export reads in one REPEATABLE READ transaction, through
 * a cursor; an import writes a table a transaction. Rows come in the order of `seq` where a table
 * has one (the order written), else of the primary key.
 */
export async function postgresTenantTables(pool: pg.Pool, name: string): Promise<TenantTables> {
  const client = await pool.connect();
  const schema = `"${name}"`;
  const table = (t: string) => `${schema}.${quoteColumn(t)}`;
  const columnCache = new Map<string, Map<string, PgColumn>>();
  async function columns(t: string): Promise<Map<string, PgColumn>> {
    const known = columnCache.get(t);
    if (known) return known;
    const { rows } = await client.query<{
      column_name: string;
      data_type: string;
      column_default: string | null;
    }>(
      'SELECT column_name, data_type, column_default FROM information_schema.columns WHERE table_schema = $1 AND table_name = $2 ORDER BY ordinal_position',
      [name, t],
    );
    if (rows.length === 0) throw new TableRowError(`this release has no table ${t} in ${schema}`);
    const found = new Map(
      rows.map((r) => [
        r.column_name,
        { type: r.data_type, serial: r.column_default?.startsWith('nextval(') ?? false },
      ]),
    );
    columnCache.set(t, found);
    return found;
  }
  async function orderOf(t: string): Promise<string> {
    if ((await columns(t)).has('seq')) return 'seq';
    const { rows } = await client.query<{ attname: string }>(
      `SELECT a.attname FROM pg_index i JOIN pg_attribute a ON a.attrelid = i.indrelid AND a.attnum = ANY(i.indkey)
       WHERE i.indrelid = $1::regclass AND i.indisprimary ORDER BY array_position(i.indkey::int2[], a.attnum)`,
      [table(t)],
    );
    return rows.map((r) => quoteColumn(r.attname)).join(', ');
  }
  /** The select list for `wanted`, and how to turn an answered row into SQLite's shape. */
  async function reader(t: string, wanted: readonly TableColumn[], computed: Record<string, string> = {}) {
    const present = await columns(t);
    const special = derived[t] ?? {};
    const select: string[] = [];
    for (const column of wanted) {
      const d = special[column.name];
      if (d) select.push(...d.from.map(quoteColumn));
      else if (!present.has(column.name))
        throw new Error(`${schema}.${t} has no column ${column.name}: is it of an older release?`);
      else if (computed[column.name])
        select.push(`(${computed[column.name]}) AS ${quoteColumn(column.name)}`);
      else select.push(quoteColumn(column.name));
    }
    const shape = (row: Row): Row => {
      const out: Row = {};
      for (const column of wanted) {
        const d = special[column.name];
        out[column.name] = d ? d.read(row) : fromPg(row[column.name], present.get(column.name));
      }
      return exportedRow(out, wanted);
    };
    return { list: select.join(', '), shape };
  }
  /** A row of an export as the PostgreSQL table takes it. */
  async function pgRow(t: string, values: Record<string, StoredValue>): Promise<Row> {
    const present = await columns(t);
    const row: Row = {};
    for (const [column, value] of Object.entries(values)) {
      const d = derived[t]?.[column];
      if (d && typeof value === 'string') Object.assign(row, d.write(value));
      else {
        const pgColumn = present.get(column);
        if (!pgColumn) throw new TableRowError(`this release's table ${t} has no column ${column}`);
        row[column] = toPg(value, pgColumn);
      }
    }
    return row;
  }
  /**
   * Inserts rows of one table (each with the same columns, those of a part), as many a statement as
   * PostgreSQL's 65,535 parameters allow.
   */
  async function insertRows(t: string, rows: readonly Row[]): Promise<void> {
    const names = Object.keys(rows[0] as Row);
    const perStatement = Math.floor(65_535 / names.length);
    for (let start = 0; start < rows.length; start += perStatement) {
      const chunk = rows.slice(start, start + perStatement);
      const tuples = chunk.map(
        (_, r) => `(${names.map((_, c) => `$${r * names.length + c + 1}`).join(', ')})`,
      );
      await client.query(
        `INSERT INTO ${table(t)} (${names.map(quoteColumn).join(', ')}) VALUES ${tuples.join(', ')}`,
        chunk.flatMap((row) => names.map((name) => row[name])),
      );
    }
  }
  /** A sequence goes on after the ids imported, so the next row the cloud adds gets a new one. */
  async function advanceSequences(t: string, imported: readonly string[]): Promise<void> {
    for (const [column, pgColumn] of await columns(t))
      if (pgColumn.serial && imported.includes(column))
        await client.query(
          `SELECT setval(pg_get_serial_sequence($1, $2), COALESCE(MAX(${quoteColumn(column)}), 1), MAX(${quoteColumn(column)}) IS NOT NULL) FROM ${table(t)}`,
          [table(t), column],
        );
  }
  const byName = (list: readonly TableColumn[]) => list.map((c) => c.name);
  return {
    where: `PostgreSQL schema ${name}`,
    async tables() {
      const { rows } = await client.query<{ table_name: string }>(
        "SELECT table_name FROM information_schema.tables WHERE table_schema = $1 AND table_type = 'BASE TABLE' ORDER BY table_name",
        [name],
      );
      return rows.map((r) => r.table_name).filter((t) => !(t in postgresTablesLeftOut));
    },
    // The rows are this release's SQLite shape: a newer release's export is refused by the import.
    schemaVersion: async () => cloudDbMigrations.length,
    async snapshot() {
      await client.query('BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY');
    },
    async tableSchema(spec) {
      const schemaOf = tableSchema(releaseTables(), spec);
      for (const t of [spec.table, ...schemaOf.children.map((c) => c.table)]) await columns(t);
      return schemaOf;
    },
    async writeTable(spec, partSchema, part, tick) {
      const parent = await reader(spec.table, partSchema.columns, spec.computed);
      const children = await Promise.all(
        partSchema.children.map(async (child) => ({
          ...child,
          read: await reader(child.table, child.columns),
          order: await orderOf(child.table),
        })),
      );
      await client.query(
        `DECLARE export_rows NO SCROLL CURSOR FOR SELECT ${parent.list} FROM ${table(spec.table)} ORDER BY ${await orderOf(spec.table)}`,
      );
      try {
        for (;;) {
          const { rows } = await client.query<Row>('FETCH 500 FROM export_rows');
          if (rows.length === 0) break;
          // The children of the rows fetched, one query a child table, by their parent's key.
          const nested: Map<string, Row[]>[] = [];
          for (const child of children) {
            const found = await client.query<Row>(
              `SELECT ${quoteColumn(child.reference)} AS export_parent_key, ${child.read.list} FROM ${table(child.table)}
               WHERE ${quoteColumn(child.reference)} = ANY($1) ORDER BY ${child.order}`,
              [rows.map((row) => row[child.parentKey])],
            );
            const byParent = new Map<string, Row[]>();
            for (const item of found.rows) {
              const key = String(item.export_parent_key);
              const siblings = byParent.get(key) ?? [];
              byParent.set(key, siblings);
              siblings.push(child.read.shape(item));
            }
            nested.push(byParent);
          }
          for (const row of rows) {
            const line = parent.shape(row);
            for (const [index, child] of children.entries())
              line[child.name] = nested[index]?.get(String(row[child.parentKey])) ?? [];
            await part.write(`${JSON.stringify(line)}\n`, 1);
            tick(part.rows);
          }
        }
      } finally {
        await client.query('CLOSE export_rows');
      }
    },
    async importTable(folder, path, partSchema, tick) {
      const columnNames = byName(partSchema.columns);
      let rows = 0;
      // Rows waiting to be inserted, by table: the part's own first (children refer to them).
      const pending = new Map<string, Row[]>([[partSchema.table, []]]);
      const add = async (t: string, values: Record<string, StoredValue>) => {
        const waiting = pending.get(t) ?? [];
        pending.set(t, waiting);
        waiting.push(await pgRow(t, values));
      };
      let first = 1;
      const flush = async (last: number) => {
        try {
          for (const [t, waiting] of pending) if (waiting.length > 0) await insertRows(t, waiting.splice(0));
        } catch (error) {
          throw new TableRowError(`${path} lines ${first}-${last}: ${(error as Error).message}`, {
            cause: error,
          });
        }
        first = last + 1;
      };
      let number = 0;
      await client.query('BEGIN');
      try {
        for await (const [at, text] of partLines(folder, path)) {
          number = at;
          try {
            const row = JSON.parse(text) as Row;
            const values = storedValues(
              row,
              partSchema.columns,
              partSchema.children.map((c) => c.name),
            );
            await add(
              partSchema.table,
              Object.fromEntries(columnNames.map((c, i) => [c, values[i] as StoredValue])),
            );
            for (const child of partSchema.children) {
              const nested = row[child.name] ?? [];
              if (!Array.isArray(nested)) throw new TableRowError(`${child.name} must be a list`);
              const key = row[child.parentKey] as StoredValue;
              for (const item of nested) {
                const childValues = storedValues(item, child.columns);
                await add(child.table, {
                  [child.reference]: key,
                  ...Object.fromEntries(
                    byName(child.columns).map((c, i) => [c, childValues[i] as StoredValue]),
                  ),
                });
              }
            }
          } catch (error) {
            throw new TableRowError(`${path} line ${number}: ${(error as Error).message}`, { cause: error });
          }
          tick(++rows);
          if (rows % batchRows === 0) await flush(number);
        }
        await flush(number);
        await advanceSequences(partSchema.table, columnNames);
        await client.query('COMMIT');
        return rows;
      } catch (error) {
        await client.query('ROLLBACK');
        throw error;
      }
    },
    async close() {
      await client.query('ROLLBACK').catch(() => undefined);
      client.release();
    },
  };
}
