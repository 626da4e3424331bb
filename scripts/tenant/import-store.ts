import { createReadStream } from 'node:fs';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import type { DatabaseSync, StatementSync } from 'node:sqlite';
import {
  quoteColumn,
  storedValues,
  type TableColumn,
  type TablePartSchema,
  TableRowError,
} from './table-rows.ts';

/** The lines of a part, read as a stream, with their numbers (from 1); empty lines skipped. */
export async function* partLines(folder: string, path: string): AsyncGenerator<[number, string]> {
  const lines = createInterface({
    input: createReadStream(join(folder, path)),
    crlfDelay: Number.POSITIVE_INFINITY,
  });
  let number = 0;
  for await (const line of lines) {
    number++;
    if (line !== '') yield [number, line];
  }
}

function insertInto(db: DatabaseSync, table: string, columns: readonly string[]): StatementSync {
  const present = new Set(
    db
      .prepare(`PRAGMA table_info(${quoteColumn(table)})`)
      .all()
      .map((row) => String(row.name)),
  );
  if (present.size === 0) throw new TableRowError(`this release has no table ${table}`);
  const missing = columns.filter((name) => !present.has(name));
  if (missing.length > 0)
    throw new TableRowError(`this release's table ${table} has no column ${missing.join(', ')}`);
  return db.prepare(
    `INSERT INTO ${quoteColumn(table)} (${columns.map(quoteColumn).join(', ')}) VALUES (${columns.map(() => '?').join(', ')})`,
  );
}

const names = (columns: readonly TableColumn[]) => columns.map((c) => c.name);

/**
 * Writes a table part into the tenant's database (its tables made by this release's stores), every
 * row with its children, in one transaction: a part is imported whole or not at all.
 */
export async function importTable(
  db: DatabaseSync,
  folder: string,
  path: string,
  schema: TablePartSchema,
  tick: (rows: number) => void,
): Promise<number> {
  const insert = insertInto(db, schema.table, names(schema.columns));
  const children = schema.children.map((child) => ({
    ...child,
    insert: insertInto(db, child.table, [child.reference, ...names(child.columns)]),
  }));
  let rows = 0;
  db.exec('BEGIN');
  try {
    for await (const [number, line] of partLines(folder, path)) {
      try {
        const row = JSON.parse(line) as Record<string, unknown>;
        insert.run(
          ...storedValues(
            row,
            schema.columns,
            children.map((c) => c.name),
          ),
        );
        for (const child of children) {
          const nested = row[child.name] ?? [];
          if (!Array.isArray(nested)) throw new TableRowError(`${child.name} must be a list`);
          const key = row[child.parentKey] as string | number;
          for (const item of nested) child.insert.run(key, ...storedValues(item, child.columns));
        }
      } catch (error) {
        throw new TableRowError(`${path} line ${number}: ${(error as Error).message}`, { cause: error });
      }
      tick(++rows);
    }
    db.exec('COMMIT');
    return rows;
  } catch (error) {
    db.exec('ROLLBACK');
    throw error;
  }
}
