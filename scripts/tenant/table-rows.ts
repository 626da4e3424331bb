import { z } from 'zod';
import type { PartSchema } from './manifest.ts';

export type TablePartSchema = Extract<PartSchema, { type: 'table' }>;
export type TableColumn = TablePartSchema['columns'][number];
type Stored = string | number | null;

export class TableRowError extends Error {}

/** A stored row as exported: its columns by name, JSON text as the JSON it holds. */
export function exportedRow(
  row: Record<string, unknown>,
  columns: readonly TableColumn[],
): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const column of columns) {
    const value = row[column.name];
    if (value !== null && typeof value !== 'string' && typeof value !== 'number')
      throw new TableRowError(
        `column ${column.name} holds ${typeof value}: only text and numbers are exported`,
      );
    out[column.name] = column.json && typeof value === 'string' ? JSON.parse(value) : value;
  }
  return out;
}

const storedValue = z.union([z.string(), z.number(), z.null()]);

/**
 * The values to store for an exported row, in the order of `columns`: every column must be there and
 * nothing else; a JSON column's value is stored as its text, any other must be text, a number or null.
 */
export function storedValues(
  row: unknown,
  columns: readonly TableColumn[],
  children: readonly string[] = [],
): Stored[] {
  if (typeof row !== 'object' || row === null || Array.isArray(row))
    throw new TableRowError('a row must be an object');
  const record = row as Record<string, unknown>;
  const known = new Set([...columns.map((c) => c.name), ...children]);
  const unknown = Object.keys(record).filter((key) => !known.has(key));
  if (unknown.length > 0) throw new TableRowError(`unknown columns ${unknown.join(', ')}`);
  return columns.map((column) => {
    if (!(column.name in record)) throw new TableRowError(`column ${column.name} is missing`);
    const value = record[column.name];
    if (column.json) return value === null ? null : JSON.stringify(value);
    const parsed = storedValue.safeParse(value);
    if (!parsed.success) throw new TableRowError(`column ${column.name}: text, a number or null expected`);
    return parsed.data;
  });
}

/** SQLite identifiers here come from the database's own schema; quoted all the same. */
export function quoteColumn(name: string): string {
  return `"${name.replaceAll('"', '""')}"`;
}
