import { type CronExpression, CronExpressionParser } from 'cron-parser';
import cron from 'node-cron';
import type { Schedule } from '../../shared/rules/schema.ts';

/** Cron windows of rule schedules (see schedule.ts): node-cron syntax, evaluated with cron-parser. */
const DAY_MS = 86_400_000;
/** How far ahead a computed window state is cached (as far as schedule.ts's nextChange looks). */
// Stryker disable next-line ArithmeticOperator: how far a remembered stretch reaches; a shorter one is only computed again sooner
const HORIZON_MS = 8 * DAY_MS;

// ---------------------------------------------------------------------------------------------
// Cron windows

type CronSchedule = Extract<Schedule, { type: 'cron' }>;

/** A node-cron expression compiled for cron-parser; `filter` carries node-cron's day-of-week AND. */
interface CompiledCron {
  primary: CronExpression;
  filter: CronExpression | undefined;
  timezone: string;
}

export function cronIssue(expression: string): string | undefined {
  const detailed = cron.validateDetailed(expression);
  if (!detailed.valid) {
    const reasons = detailed.errors.map((error) => error.message).join('; ');
    return `"${expression}" is not a valid node-cron expression (${reasons})`;
  }
  try {
    // Stryker disable next-line StringLiteral: whether the fields compile does not depend on the zone they are read in
    compile(expression, 'UTC');
    return undefined;
  } catch (error) {
    return `"${expression}" is valid node-cron syntax that schedules cannot evaluate (${(error as Error).message})`;
  }
}

const FULL = { second: 60, minute: 60, hour: 24, dayOfMonth: 31, month: 12, dayOfWeek: 7 } as const;
const compiled = new Map<string, CompiledCron>();
const midnights = new Map<string, CronExpression>();

function compile(expression: string, timezone: string): CompiledCron {
  const key = `${timezone}\n${expression}`;
  const cached = compiled.get(key);
  // Stryker disable next-line ConditionalExpression: a cache; missing it only costs time
  if (cached) return cached;
  const fields = cron.parse(expression); // throws on what node-cron rejects
  const text = (name: keyof typeof FULL) => {
    const values = fields[name];
    // Stryker disable next-line all: a shortcut; cron-parser reads the explicit list of every value as it reads `*`
    const full = values.length === FULL[name] && values.every((value) => typeof value === 'number');
    return full ? '*' : values.join(',');
  };
  const [second, minute, hour, dayOfMonth, month, dayOfWeek] = (
    ['second', 'minute', 'hour', 'dayOfMonth', 'month', 'dayOfWeek'] as const
  ).map(text);
  const parse = (dom: string | undefined, dow: string | undefined) =>
    CronExpressionParser.parse(`${second} ${minute} ${hour} ${dom} ${month} ${dow}`, { tz: timezone });
  // node-cron needs day of month AND day of week; cron-parser would OR them when both are set.
  // Stryker disable next-line all: when either field is `*` (or its explicit list), AND-ing the two through the filter means the same
  const both = dayOfMonth !== '*' && dayOfWeek !== '*';
  const result: CompiledCron = {
    primary: parse(dayOfMonth, both ? '*' : dayOfWeek),
    filter: both ? parse('*', dayOfWeek) : undefined,
    timezone,
  };
  // Stryker disable next-line all: the cache's bound; a cache; missing it only costs time or memory
  if (compiled.size >= 1_000) compiled.clear();
  // Stryker disable next-line all: a cache; missing it only costs time
  compiled.set(key, result);
  return result;
}

function compileOrThrow(expression: string, timezone: string): CompiledCron {
  try {
    return compile(expression, timezone);
  } catch (error) {
    throw new Error(`invalid schedule: ${cronIssue(expression) ?? (error as Error).message}`);
  }
}

/** Step limit for walking occurrences; beyond it an expression is treated as not occurring. */
const MAX_STEPS = 20_000;

/** Latest occurrence at or before `t`, in node-cron's sense. */
function prevOccurrence(c: CompiledCron, t: number): number | undefined {
  let from = t + 1;
  // Stryker disable next-line EqualityOperator,UpdateOperator: the step limit; no valid expression needs 20,000 steps
  for (let step = 0; step < MAX_STEPS; step++) {
    const candidate = rawPrev(c.primary, from);
    if (candidate === undefined) return undefined;
    if (!c.primary.includesDate(new Date(candidate))) {
      from = candidate; // a skipped local time cron-parser moved past the change: never occurs
      continue;
    }
    if (!c.filter || c.filter.includesDate(new Date(candidate))) return candidate;
    // Every occurrence on this local day fails the day-of-week test: go on from its start.
    from = startOfLocalDay(candidate, c.timezone) ?? candidate;
  }
  return undefined;
}

/** Earliest occurrence after `t` and at most `limit`, in node-cron's sense. */
function nextOccurrence(c: CompiledCron, t: number, limit: number): number | undefined {
  let after = t;
  // Stryker disable next-line EqualityOperator,UpdateOperator: the step limit; no valid expression needs 20,000 steps
  for (let step = 0; step < MAX_STEPS; step++) {
    const candidate = rawNext(c.primary, after);
    if (candidate === undefined || candidate > limit) return undefined;
    if (!c.primary.includesDate(new Date(candidate))) {
      after = candidate; // a skipped local time cron-parser moved past the change: never occurs
      continue;
    }
    if (!c.filter || c.filter.includesDate(new Date(candidate))) return candidate;
    const nextDay = startOfNextLocalDay(candidate, c.timezone);
    after = nextDay === undefined ? candidate : nextDay - 1;
  }
  return undefined;
}

function includes(c: CompiledCron, t: number): boolean {
  const date = new Date(t);
  return c.primary.includesDate(date) && (!c.filter || c.filter.includesDate(date));
}

/**
 * Occurrence strictly before `before`. cron-parser's prev() gives up on days whose first hour a
 * daylight saving change skips (America/Santiago, Havana, Beirut); next() does not, so then start
 * further back and walk forward.
 */
function rawPrev(expression: CronExpression, before: number): number | undefined {
  try {
    expression.reset(new Date(before));
    return expression.prev().getTime();
  } catch {
    for (const back of [2 * DAY_MS, 9 * DAY_MS, 40 * DAY_MS, 400 * DAY_MS, 3_000 * DAY_MS]) {
      let found: number;
      try {
        expression.reset(new Date(before - back));
        found = expression.prev().getTime();
      } catch {
        continue;
      }
      // Stryker disable next-line EqualityOperator,UpdateOperator,ArithmeticOperator: the step limit; no valid expression needs 200,000 steps
      for (let step = 0; step < MAX_STEPS * 10; step++) {
        const next = rawNext(expression, found);
        if (next === undefined || next >= before) return found;
        found = next;
      }
      return undefined;
    }
    return undefined;
  }
}

function rawNext(expression: CronExpression, after: number): number | undefined {
  try {
    expression.reset(new Date(after));
    return expression.next().getTime();
  } catch {
    return undefined;
  }
}

function midnight(timezone: string): CronExpression {
  let expression = midnights.get(timezone);
  // Stryker disable next-line ConditionalExpression: a cache; missing it only costs time
  if (!expression) {
    expression = CronExpressionParser.parse('0 0 0 * * *', { tz: timezone });
    // Stryker disable next-line all: a cache; missing it only costs time
    midnights.set(timezone, expression);
  }
  return expression;
}

/** Local midnight starting the day of `t`, if that day has one. */
function startOfLocalDay(t: number, timezone: string): number | undefined {
  const start = rawPrev(midnight(timezone), t + 1);
  return start !== undefined && localDate(start, timezone) === localDate(t, timezone) ? start : undefined;
}

/** Local midnight starting the day after the day of `t`, if it directly follows. */
function startOfNextLocalDay(t: number, timezone: string): number | undefined {
  const next = rawNext(midnight(timezone), t);
  return next !== undefined && localDate(next - 1, timezone) === localDate(t, timezone) ? next : undefined;
}

const dateFormats = new Map<string, Intl.DateTimeFormat>();

function localDate(t: number, timezone: string): string {
  let format = dateFormats.get(timezone);
  // Stryker disable next-line ConditionalExpression: a cache; missing it only costs time
  if (!format) {
    format = new Intl.DateTimeFormat('en-CA', {
      timeZone: timezone,
      year: 'numeric',
      month: '2-digit',
      day: '2-digit',
    });
    // Stryker disable next-line all: a cache; missing it only costs time
    dateFormats.set(timezone, format);
  }
  return format.format(t);
}

/**
 * The state of a cron window holds from the last start or end occurrence to the next one; walking
 * occurrences in a time zone costs tens of microseconds, so remember that stretch per window.
 */
const stretches = new Map<string, { from: number; until: number; active: boolean }>();

export function cronActive(schedule: CronSchedule, t: number, timezone: string): boolean {
  const key = `${timezone}\n${schedule.start}\n${schedule.end}`;
  const known = stretches.get(key);
  // Stryker disable next-line ConditionalExpression,EqualityOperator: a cache of the state between occurrences; missing it, also at its first instant, only costs time
  if (known && known.from <= t && t < known.until) return known.active;
  const start = compileOrThrow(schedule.start, timezone);
  const end = compileOrThrow(schedule.end, timezone);
  const lastStart = prevOccurrence(start, t) ?? Number.NEGATIVE_INFINITY;
  const lastEnd = prevOccurrence(end, t) ?? Number.NEGATIVE_INFINITY;
  const active = lastStart > lastEnd;
  // Stryker disable next-line ArithmeticOperator: only how far the remembered stretch reaches (an empty one is never used)
  const limit = t + HORIZON_MS;
  const until = Math.min(nextOccurrence(start, t, limit) ?? limit, nextOccurrence(end, t, limit) ?? limit);
  // Stryker disable next-line all: the cache's bound; a cache; missing it only costs time or memory
  if (stretches.size >= 10_000) stretches.clear();
  // Stryker disable next-line ObjectLiteral: a cache; missing it only costs time
  stretches.set(key, { from: Math.max(lastStart, lastEnd), until, active });
  return active;
}

export function cronNextChange(
  schedule: CronSchedule,
  t: number,
  limit: number,
  timezone: string,
): number | undefined {
  const start = compileOrThrow(schedule.start, timezone);
  const end = compileOrThrow(schedule.end, timezone);
  // Open: the next end closes it (a start at the same instant does not keep it open).
  if (cronActive(schedule, t, timezone)) return nextOccurrence(end, t, limit);
  // Closed: the next start opens it, unless an end falls on the same instant.
  // Stryker disable next-line EqualityOperator,UpdateOperator: the step limit; no valid expression needs 20,000 steps
  for (let after = t, step = 0; step < MAX_STEPS; step++) {
    const next = nextOccurrence(start, after, limit);
    if (next === undefined) return undefined;
    if (!includes(end, next)) return next;
    after = next;
  }
  return undefined;
}
