import { describe, expect, it } from 'vitest';
import { cloudDbMigrations } from '../../../../cloud/schema-migrations.ts';
import { openSqlite } from '../../../../cloud/sqlite/sqlite.ts';
import { tableSchema, tablesOf } from '../../../../scripts/tenant/store-parts.ts';
import { createStoreTables } from '../../../../scripts/tenant/store-tables.ts';
import {
  exportedRow,
  quoteColumn,
  storedValues,
  type TableColumn,
} from '../../../../scripts/tenant/table-rows.ts';
import {
  childTables,
  exportedTables,
  tablesLeftOut,
  unknownTables,
} from '../../../../scripts/tenant/tables.ts';

const columns: TableColumn[] = [
  { name: 'id', type: 'TEXT', json: false },
  { name: 'n', type: 'INTEGER', json: false },
  { name: 'detail', type: 'TEXT', json: true },
];

describe('a stored row as exported and back', () => {
  it('gives JSON columns as the JSON they hold and keeps text, numbers and nulls', () => {
    expect(exportedRow({ id: 'a', n: 3, detail: '{"x":[1,"y"]}', other: 'left out' }, columns)).toEqual({
      id: 'a',
      n: 3,
      detail: { x: [1, 'y'] },
    });
    expect(exportedRow({ id: 'a', n: null, detail: null }, columns)).toEqual({
      id: 'a',
      n: null,
      detail: null,
    });
    expect(() => exportedRow({ id: new Uint8Array([1]), n: 1, detail: null }, columns)).toThrow(
      /column id holds object/,
    );
  });

  it('stores the columns in order, JSON as its text, and refuses what does not fit', () => {
    expect(storedValues({ id: 'a', n: 3, detail: { x: 1 } }, columns)).toEqual(['a', 3, '{"x":1}']);
    expect(storedValues({ id: 'a', n: null, detail: null }, columns)).toEqual(['a', null, null]);
    expect(storedValues({ id: 'a', n: 1, detail: 'text' }, columns)).toEqual(['a', 1, '"text"']);
    expect(storedValues({ id: 'a', n: 1, detail: null, history: [] }, columns, ['history'])).toEqual([
      'a',
      1,
      null,
    ]);
    expect(() => storedValues({ id: 'a', n: 1, detail: null, history: [] }, columns)).toThrow(
      /unknown columns history/,
    );
    expect(() => storedValues({ id: 'a', detail: null }, columns)).toThrow(/column n is missing/);
    expect(() => storedValues({ id: 'a', n: true, detail: null }, columns)).toThrow(
      /column n: text, a number/,
    );
    expect(() => storedValues({ id: { x: 1 }, n: 1, detail: null }, columns)).toThrow(/column id/);
    expect(() => storedValues([1], columns)).toThrow(/must be an object/);
    expect(() => storedValues(null, columns)).toThrow(/must be an object/);
  });

  it('quotes identifiers', () => {
    expect(quoteColumn('a"b')).toBe('"a""b"');
  });
});

describe("the tables of a tenant's database", () => {
  const db = openSqlite(':memory:', cloudDbMigrations);
  createStoreTables(db);

  it('are each exported or left out for a reason, and nothing is named that does not exist', () => {
    const tables = tablesOf(db);
    expect(unknownTables(tables)).toEqual([]);
    for (const table of [
      ...exportedTables.map((s) => s.table),
      ...childTables,
      ...Object.keys(tablesLeftOut),
    ])
      expect(tables, table).toContain(table);
    for (const spec of exportedTables) expect(() => tableSchema(db, spec)).not.toThrow();
  });

  it('notices a table it does not know', () => {
    expect(unknownTables(['devices', 'alert_history', 'sqlite_sequence', 'parking_spots'])).toEqual([
      'parking_spots',
    ]);
  });

  it('describes a table by its columns, less those left out, with its children', () => {
    const letters = exportedTables.find((s) => s.table === 'dead_letters');
    const schema = tableSchema(db, letters as (typeof exportedTables)[number]);
    const names = schema.columns.map((c) => c.name);
    expect(names).toContain('shape');
    expect(names).not.toContain('raw');
    expect(schema.columns.find((c) => c.name === 'shape')?.json).toBe(true);
    expect(schema.children[0]?.columns.map((c) => c.name)).not.toContain('letter_id');
    expect(() => tableSchema(db, { table: 'devices', description: '', json: ['nope'] })).toThrow(
      /table devices has no column nope/,
    );
  });
});
