/**
 * Active schedules of rules: when a rule is evaluated at all.
 *
 * Cron windows (`{ type: 'cron', start, end }`) are node-cron expressions read in the city's
 * time zone. The window is active at an instant when the most recent `start` occurrence at or
 * before it is later than the most recent `end` occurrence at or before it: it opens at a start,
 * closes at the next end, and is closed when a start and an end fall on the same instant.
 * Expressions have node-cron's meaning exactly (node-cron 4 is the project's scheduler): they are
 * parsed by node-cron, including its rule that day of month AND day of week must both match
 * (classic cron ORs them); cron-parser, fed node-cron's parsed fields, only walks occurrences
 * backwards and forwards in the time zone. Local times that a daylight saving change skips never
 * occur (node-cron never fires then either); local times it repeats occur twice. isActive and
 * nextChange throw on an expression that validateSchedule rejects: validate rules when they are saved.
 *
 * Sun windows (`{ type: 'sun', from, to, ...OffsetMinutes }`) use suncalc for the city's
 * coordinates. For each day, the window runs from that day's `from` event to the first `to`
 * event after it (so sunset → sunrise crosses midnight), each shifted by its offset; an offset
 * that makes a window end before it starts leaves that night's window empty. Days are the city's
 * solar days (local mean time at its longitude), so the result does not depend on the time zone.
 *
 * Polar day and night: on a day when the `from` or `to` event does not occur (the sun stays above
 * or below its altitude all day: -0.833° for sunrise/sunset, -6° for dawn/dusk), the state for the
 * whole day follows where the sun stays. A "dark" window — one that starts at an evening event
 * (sunset, dusk), or runs from solar noon to a morning event — is active all day when the sun stays
 * below the missing event's altitude and inactive when it stays above; a "light" window (starting
 * at sunrise or dawn, or from solar noon to an evening event) the reverse. So sunset → sunrise is
 * inactive throughout polar day and active throughout polar night, and sunrise → sunset is the
 * opposite. A window does not open on a day forced inactive, even when its `from` event happens:
 * solar noon → sunset stays inactive all through polar night. A window that is open when the polar
 * period begins runs on through a "dark in polar night" stretch to the first `to` event after it,
 * and ends at the sun's lowest point on the first day of a stretch where it is forced inactive.
 */
import type { City } from '../../shared/fleet.ts';
import type { Schedule } from '../../shared/rules/schema.ts';
import { cronActive, cronIssue, cronNextChange } from './cron-window.ts';
import { covered, sunNextChange, sunWindows } from './sun-window.ts';

/** nextChange looks this far ahead. */
const HORIZON_MS = 8 * 86_400_000;

/** Whether the rule's schedule is active at `at` for the city (no schedule = always active). */
export function isActive(schedule: Schedule | undefined, at: Date, city: City): boolean {
  if (!schedule) return true;
  const t = at.getTime();
  if (schedule.type === 'cron') return cronActive(schedule, t, city.timezone);
  return covered(sunWindows(schedule, t, t, city.location), t);
}

/** The next instant after `at` when isActive changes (for timer-driven re-evaluation), or undefined if never within 8 days. */
export function nextChange(schedule: Schedule | undefined, at: Date, city: City): Date | undefined {
  if (!schedule) return undefined;
  const t = at.getTime();
  const limit = t + HORIZON_MS;
  const next =
    schedule.type === 'cron'
      ? cronNextChange(schedule, t, limit, city.timezone)
      : sunNextChange(schedule, t, limit, city.location);
  return next === undefined ? undefined : new Date(next);
}

/** What is wrong with a schedule, with the field path within a rule; undefined when it is valid. */
export function scheduleIssue(
  schedule: Schedule | undefined,
): { path: ['schedule', 'start' | 'end']; message: string } | undefined {
  if (schedule?.type !== 'cron') return undefined;
  for (const field of ['start', 'end'] as const) {
    const message = cronIssue(schedule[field]);
    if (message) return { path: ['schedule', field], message };
  }
  return undefined;
}

/** An error message naming the field (`schedule.start` or `schedule.end`) for an invalid cron expression. */
export function validateSchedule(schedule: Schedule | undefined): string | undefined {
  const issue = scheduleIssue(schedule);
  return issue && `${issue.path.join('.')}: ${issue.message}`;
}
