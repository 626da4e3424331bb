/**
 * Whether timestamp `a` is before `b`. Two UTC timestamps of the same shape (as every agent sends,
 * `toISOString()`) compare as text, without parsing; any other pair is parsed.
 */
export function isOlder(a: string, b: string): boolean {
  if (a.length === b.length && a.endsWith('Z') && b.endsWith('Z')) return a < b;
  return Date.parse(a) < Date.parse(b);
}
