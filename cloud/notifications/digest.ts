import { alertSeverity } from '../../shared/severity.ts';
import { type AlertDigest, type DigestSummaryInput, digestSummary } from './channel.ts';

/** The calendar date at `now` in `timezone`, as YYYY-MM-DD. */
export function localDate(now: Date, timezone: string): string {
  return new Intl.DateTimeFormat('en-CA', {
    timeZone: timezone,
    year: 'numeric',
    month: '2-digit',
    day: '2-digit',
  }).format(now);
}

/** One line a person reads first: counts in the period, what is still open, the noisiest rules. */
export function digestText(stats: ReturnType<typeof digestSummary.parse>): string {
  const period = `${stats.fired} fired, ${stats.escalated} escalated, ${stats.acknowledged} acknowledged, ${stats.resolved} resolved`;
  const open = [...alertSeverity.options]
    .reverse()
    .filter((s) => (stats.open[s] ?? 0) > 0)
    .map((s) => `${stats.open[s]} ${s}`);
  const top = stats.topRules.slice(0, 3).map((r) => `${r.ruleName} (${r.fired})`);
  return [
    `Alerts ${stats.from} to ${stats.to}: ${period}`,
    `open: ${open.length ? open.join(', ') : 'none'}`,
    ...(top.length ? [`most fired: ${top.join(', ')}`] : []),
  ].join('; ');
}

/**
 * The digest for the day of `now` in the city's time zone. Its id is that date, so sending the
 * same day's digest again (a restart at 07:00) is recognised as a duplicate.
 */
export function buildDigest(summary: DigestSummaryInput, now: Date, timezone: string): AlertDigest {
  const stats = digestSummary.parse(summary);
  return {
    digestId: `digest:${localDate(now, timezone)}`,
    at: now.toISOString(),
    timezone,
    summary: digestText(stats),
    stats,
  };
}
