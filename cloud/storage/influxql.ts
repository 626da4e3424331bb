/**
 * InfluxQL quoting. No user input reaches a query without going through one of these.
 * Identifiers are double-quoted, string literals single-quoted; backslash and the quote are escaped.
 */
export function quoteIdent(name: string): string {
  return `"${name.replace(/\\/g, '\\\\').replace(/"/g, '\\"')}"`;
}

export function quoteString(value: string): string {
  return `'${value.replace(/\\/g, '\\\\').replace(/'/g, "\\'").replace(/\n/g, '\\n').replace(/\r/g, '\\r')}'`;
}

export interface Series {
  name: string;
  tags?: Record<string, string>;
  columns: string[];
  values: unknown[][];
}

/** Turns a series into row objects keyed by column name. */
export function rows(series: Series | undefined): Record<string, unknown>[] {
  if (!series) return [];
  return series.values.map((values) => Object.fromEntries(series.columns.map((c, i) => [c, values[i]])));
}
