import { DomainError } from '../errors/domain-error.ts';

/**
 * The NGSI-LD query parameters we answer (ETSI GS CIM 009, 4.9 and 5.7.2): `type`, `id`, `attrs`
 * (comma-separated lists), `q` (terms joined by `;`, each `attribute op value` with op one of
 * == != > >= < <=, the value a number or a "quoted" string), `limit`, `offset`, `options=keyValues`;
 * for the temporal form `timerel` (before, after, between), `timeAt`, `endTimeAt` and
 * `options=temporalValues`. Anything else is refused as NGSI-LD does, with BadRequestData.
 */
export class BadRequestDataError extends DomainError {
  constructor(detail: string) {
    super(
      400,
      'Bad request data',
      detail,
      {},
      { type: 'https://uri.etsi.org/ngsi-ld/errors/BadRequestData' },
    );
  }
}

export class ResourceNotFoundError extends DomainError {
  constructor(detail: string) {
    super(
      404,
      'Resource not found',
      detail,
      {},
      { type: 'https://uri.etsi.org/ngsi-ld/errors/ResourceNotFound' },
    );
  }
}

type Op = '==' | '!=' | '>' | '>=' | '<' | '<=';
export interface QTerm {
  attribute: string;
  op: Op;
  value: number | string;
}

export interface EntityQuery {
  types?: string[];
  ids?: string[];
  attrs?: string[];
  q: QTerm[];
  limit: number;
  offset: number;
  keyValues: boolean;
}

export interface TemporalQuery extends Omit<EntityQuery, 'keyValues'> {
  from?: Date;
  to?: Date;
  temporalValues: boolean;
}

const listOf = (text: string | undefined): string[] | undefined =>
  text === undefined
    ? undefined
    : text
        .split(',')
        .map((s) => s.trim())
        .filter(Boolean);

const termPattern = /^([A-Za-z][A-Za-z0-9_]*)(==|!=|>=|<=|>|<)(.+)$/;

export function parseQ(text: string | undefined): QTerm[] {
  if (text === undefined || text === '') return [];
  return text.split(';').map((term) => {
    const match = termPattern.exec(term.trim());
    if (!match) throw new BadRequestDataError(`q: cannot read the term ${term.slice(0, 80)}`);
    const [, attribute, op, raw] = match as unknown as [string, string, Op, string];
    const quoted = /^"(.*)"$/.exec(raw);
    if (quoted) return { attribute, op, value: quoted[1] as string };
    const value = Number(raw);
    if (!Number.isFinite(value))
      throw new BadRequestDataError(`q: ${raw.slice(0, 40)} is neither a number nor a "string"`);
    return { attribute, op, value };
  });
}

function compare(actual: unknown, op: Op, expected: number | string): boolean {
  if (typeof actual !== typeof expected) return op === '!=';
  const a = actual as number | string;
  switch (op) {
    case '==':
      return a === expected;
    case '!=':
      return a !== expected;
    case '>':
      return a > expected;
    case '>=':
      return a >= expected;
    case '<':
      return a < expected;
    case '<=':
      return a <= expected;
  }
}

/** Whether an entity (in its simplified form) meets every term of q; a missing attribute meets none. */
export function matchesQ(simplified: Record<string, unknown>, terms: QTerm[]): boolean {
  return terms.every((t) => t.attribute in simplified && compare(simplified[t.attribute], t.op, t.value));
}

function count(text: string | undefined, name: string, fallback: number, max: number): number {
  if (text === undefined) return fallback;
  const n = Number(text);
  if (!Number.isInteger(n) || n < 0 || n > max)
    throw new BadRequestDataError(`${name}: an integer from 0 to ${max}`);
  return n;
}

function options(text: string | undefined): string[] {
  return listOf(text) ?? [];
}

function parseCommon(query: Record<string, string | undefined>): EntityQuery {
  return {
    types: listOf(query.type),
    ids: listOf(query.id),
    attrs: listOf(query.attrs),
    q: parseQ(query.q),
    limit: count(query.limit, 'limit', 20, 1_000),
    offset: count(query.offset, 'offset', 0, 1_000_000),
    keyValues: options(query.options).includes('keyValues') || query.format === 'simplified',
  };
}

/** A query of many entities names what it wants (NGSI-LD refuses one that names nothing). */
function requireSelector(parsed: EntityQuery): EntityQuery {
  if (!parsed.types && !parsed.ids && !parsed.attrs && parsed.q.length === 0)
    throw new BadRequestDataError('name a type, id, attrs or q');
  return parsed;
}

export function parseEntityQuery(query: Record<string, string | undefined>): EntityQuery {
  return requireSelector(parseCommon(query));
}

function instant(text: string | undefined, name: string): Date | undefined {
  if (text === undefined) return undefined;
  const date = new Date(text);
  if (!/^\d{4}-\d{2}-\d{2}T/.test(text) || Number.isNaN(date.getTime()))
    throw new BadRequestDataError(`${name}: an ISO 8601 date and time`);
  return date;
}

/** The temporal query: timerel with timeAt (and endTimeAt for between) give the range of observedAt. */
export function parseTemporalQuery(
  query: Record<string, string | undefined>,
  single: boolean,
): TemporalQuery {
  if (query.q !== undefined) throw new BadRequestDataError('q is not supported on the temporal form');
  const base = single ? parseCommon(query) : requireSelector(parseCommon(query));
  const timeAt = instant(query.timeAt, 'timeAt');
  const endTimeAt = instant(query.endTimeAt, 'endTimeAt');
  const { keyValues: _, ...rest } = base;
  const temporalValues = options(query.options).includes('temporalValues');
  switch (query.timerel) {
    case undefined:
      if (timeAt) throw new BadRequestDataError('timeAt needs timerel');
      return { ...rest, temporalValues };
    case 'before':
    case 'after':
      if (!timeAt) throw new BadRequestDataError(`timerel=${query.timerel} needs timeAt`);
      return query.timerel === 'before'
        ? { ...rest, to: timeAt, temporalValues }
        : { ...rest, from: timeAt, temporalValues };
    case 'between':
      if (!timeAt || !endTimeAt) throw new BadRequestDataError('timerel=between needs timeAt and endTimeAt');
      return { ...rest, from: timeAt, to: endTimeAt, temporalValues };
    default:
      throw new BadRequestDataError('timerel: before, after or between');
  }
}
