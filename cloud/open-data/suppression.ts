import type { AggregateRow } from '../rollups/aggregates.ts';

/**
 * Suppression of small counts of people (docs/open-data.md, "Counts of people"). A published cell
 * is one bucket of one spatial unit; a count from 1 to k − 1 could single people out, so it is
 * never published (primary suppression). Sums add up, so a suppressed hour could be recovered by
 * subtracting the published hours of its day from the day's total, which a daily dataset of the
 * same metric publishes (or may publish later, over the same past). Hence complementary
 * suppression, on each unit's local day:
 *
 * - hours, in time order: a small hour opens a run of suppressed hours, which goes on over the
 *   following hours until the run adds up to at least k; the next small hour opens a new run. The
 *   rule looks only backwards, so an hour once published is never suppressed later, whatever hours
 *   come after it;
 * - a day that ends inside a run adding up to less than k (its last hours were small) is itself
 *   suppressed, so that its total cannot give them back.
 *
 * Then the day's total minus its published hours is a sum of runs, each of at least k and of two
 * hours or more, its first hour small: no suppressed hour's count follows from it. Each run must
 * reach k on its own: with one total for the day, a lone small hour after a completed run would
 * otherwise be the total minus the published hours minus a run known to be at least k, which can
 * pin it (test/unit/cloud/open-data/suppression.test.ts tries every such guess).
 * Units do not add up to a published total: a metric that counts people is published at one
 * spatial unit only (the dataset service refuses a second), and no dataset publishes a town total.
 * A maximum does not add up: primary suppression alone protects it (a day's maximum above every
 * published hour would be a suppressed hour's, but suppressed hours are below k and so would the
 * maximum be).
 */
export interface PublishedCell {
  start: string;
  key: string;
  /** null when suppressed. */
  value: number | null;
  readings: number;
  suppressed: boolean;
}

/** A count from 1 to k − 1 (zero singles nobody out). */
export function isSmall(value: number, k: number): boolean {
  return value > 0 && value < k;
}

const shown = (row: AggregateRow): PublishedCell => ({ ...row, suppressed: false });
const hidden = (row: AggregateRow): PublishedCell => ({ ...row, value: null, suppressed: true });

/** Cells of a metric that does not count people: all published. */
export function unsuppressed(rows: readonly AggregateRow[]): PublishedCell[] {
  return rows.map(shown);
}

/** Primary suppression only: maxima, and anything that no published total covers. */
export function suppressSmall(rows: readonly AggregateRow[], k: number): PublishedCell[] {
  return rows.map((row) => (isSmall(row.value, k) ? hidden(row) : shown(row)));
}

/** `${key} ${day}`: one unit's local day. */
const dayKey = (key: string, day: string) => `${key} ${day}`;

/**
 * Hourly sums: primary and complementary suppression within each unit's local day (`dayOf` gives
 * the local day an hour belongs to). Rows in time order. Also answers the unit-days whose suppressed
 * hours add up to less than k (their daily totals must be suppressed).
 */
export function suppressHourlySums(
  rows: readonly AggregateRow[],
  k: number,
  dayOf: (start: string) => string,
): { cells: PublishedCell[]; shortDays: Set<string> } {
  /** The sum of each unit-day's run of suppressed hours: open below k, complete from k on. */
  const runs = new Map<string, number>();
  const cells = rows.map((row) => {
    const day = dayKey(row.key, dayOf(row.start));
    const open = runs.get(day) ?? 0;
    const run = isSmall(open, k) ? open : 0;
    if (!isSmall(row.value, k) && !isSmall(run, k)) return shown(row);
    runs.set(day, run + row.value);
    return hidden(row);
  });
  const shortDays = new Set([...runs].filter(([, sum]) => isSmall(sum, k)).map(([day]) => day));
  return { cells, shortDays };
}

/** Daily sums: primary suppression, and the days whose suppressed hours add up to less than k. */
export function suppressDailySums(
  days: readonly AggregateRow[],
  hours: readonly AggregateRow[],
  k: number,
  dayOf: (start: string) => string,
): PublishedCell[] {
  const { shortDays } = suppressHourlySums(hours, k, dayOf);
  return days.map((row) =>
    isSmall(row.value, k) || shortDays.has(dayKey(row.key, dayOf(row.start))) ? hidden(row) : shown(row),
  );
}
