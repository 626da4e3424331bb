import { stringify } from 'csv-stringify/sync';
import { localDayStart } from '../../shared/local-time.ts';
import { type Dataset, licences, metricUnit } from './dataset.ts';
import type { PublishedCell } from './suppression.ts';

/**
 * The tabular forms of a dataset: CSV (RFC 4180: CRLF line ends, quoted only where needed, one
 * header row) and JSON. The value's column names its unit (`value_kwh`, `value_percent`), so a
 * spreadsheet shows it without the catalogue; a suppressed count is an empty value with
 * `suppressed` true.
 */

/** The unit as an ASCII column suffix: `kWh` → `kwh`, `%` → `percent`, `km/h` → `km_per_h`. */
export function unitSlug(unit: string): string {
  return unit
    .replace('%', 'percent')
    .replace('°C', 'celsius')
    .replace('°', 'degrees')
    .replace('²', '2')
    .replace('/', '_per_')
    .toLowerCase()
    .replace(/[^a-z0-9_]/g, '');
}

/** The unit of the published value: the metric's, readings for a count; `1` (a number of things) is `count`. */
export function valueUnit(dataset: Dataset): string {
  if (dataset.aggregate === 'count') return 'readings';
  const unit = metricUnit(dataset.kind, dataset.metric);
  return unit === undefined || unit === '1' ? 'count' : unit;
}

export function valueColumn(dataset: Dataset): string {
  return `value_${unitSlug(valueUnit(dataset))}`;
}

/** When a bucket ends: an hour later, or at the next local midnight. */
export function bucketEnd(dataset: Dataset, start: string, timezone: string): string {
  const at = Date.parse(start);
  if (dataset.granularity === 'hour') return new Date(at + 3_600_000).toISOString();
  // A local day lasts 23 to 25 hours: 26 hours on is always inside the next one.
  return new Date(localDayStart(at + 26 * 3_600_000, timezone)).toISOString();
}

export interface TableRow {
  start: string;
  end: string;
  /** The district or zone. */
  place: string;
  value: number | null;
  readings: number;
  suppressed: boolean;
}

export function tableRows(dataset: Dataset, cells: PublishedCell[], timezone: string): TableRow[] {
  // Every place of a bucket shares its end: one time-zone conversion per bucket, not per cell.
  const ends = new Map<string, string>();
  const endOf = (start: string) => {
    let end = ends.get(start);
    if (end === undefined) {
      end = bucketEnd(dataset, start, timezone);
      ends.set(start, end);
    }
    return end;
  };
  return cells.map((c) => ({
    start: c.start,
    end: endOf(c.start),
    place: c.key,
    value: c.value,
    readings: c.readings,
    suppressed: c.suppressed,
  }));
}

export function toCsv(dataset: Dataset, rows: TableRow[]): string {
  const columns = ['start', 'end', dataset.unit, valueColumn(dataset), 'readings', 'suppressed'];
  return stringify(
    rows.map((r) => [r.start, r.end, r.place, r.value ?? '', r.readings, String(r.suppressed)]),
    { header: true, columns, record_delimiter: 'windows' },
  );
}

export function toJson(dataset: Dataset, rows: TableRow[], range: { from: Date; to: Date }) {
  return {
    dataset: dataset.id,
    title: dataset.title,
    kind: dataset.kind,
    metric: dataset.metric,
    aggregate: dataset.aggregate,
    granularity: dataset.granularity,
    spatialUnit: dataset.unit,
    unit: valueUnit(dataset),
    ...(dataset.minCellSize !== undefined && { minCellSize: dataset.minCellSize }),
    licence: licences[dataset.licence],
    from: range.from.toISOString(),
    to: range.to.toISOString(),
    rows: rows.map((r) => ({
      start: r.start,
      end: r.end,
      [dataset.unit]: r.place,
      value: r.value,
      readings: r.readings,
      suppressed: r.suppressed,
    })),
  };
}
