import type { z } from 'zod';
import { contractFieldNames } from './field-names.ts';

/** A path through a message: contract field names and indices; any other key is shown as `*`. */
function safePath(path: readonly PropertyKey[]): string {
  if (path.length === 0) return '(message)';
  return path
    .map((segment) =>
      typeof segment === 'number'
        ? `[${segment}]`
        : typeof segment === 'string' && contractFieldNames.has(segment)
          ? `.${segment}`
          : '.*',
    )
    .join('')
    .replace(/^\./, '');
}

/**
 * What a zod issue found wrong, without the value that was wrong. zod's own messages name the type
 * received and what was expected (allowed values come from the schema, never from the input), except
 * for unknown keys, which quote the key: a key is input, so only contract field names are named.
 */
function issueText(issue: z.core.$ZodIssue): string {
  if (issue.code !== 'unrecognized_keys') return issue.message;
  const named = issue.keys.filter((k) => contractFieldNames.has(k));
  const others = issue.keys.length - named.length;
  return [
    ...named.map((k) => `unknown field "${k}"`),
    ...(others > 0 ? [`${others} unknown field${others === 1 ? '' : 's'}`] : []),
  ].join(', ');
}

/**
 * One line saying what a payload got wrong: `path: problem; …` (at most `max` issues). It names
 * paths and what was expected, never a value from the payload, so it can be logged and kept.
 */
export function describeIssues(error: z.ZodError, max = 10): string {
  const issues = error.issues.slice(0, max).map((i) => `${safePath(i.path)}: ${issueText(i)}`);
  const more = error.issues.length - max;
  return more > 0 ? `${issues.join('; ')}; and ${more} more` : issues.join('; ');
}
