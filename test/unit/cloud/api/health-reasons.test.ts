import { describe, expect, it } from 'vitest';
import { mergedReasons } from '../../../../cloud/api/health.ts';

describe("the health routes' reasons of many tenants", () => {
  it('gives one tenant’s reasons as they are', () => {
    expect(mergedReasons([['journal cannot write: SQLITE_FULL']])).toEqual([
      'journal cannot write: SQLITE_FULL',
    ]);
    expect(mergedReasons([[]])).toEqual([]);
    expect(mergedReasons([])).toEqual([]);
  });

  it('gives each reason once, with how many of the tenants it holds for, naming none', () => {
    expect(
      mergedReasons([
        ['InfluxDB is not reachable', 'journal cannot remove: EIO'],
        [],
        ['InfluxDB is not reachable', 'InfluxDB is not reachable'],
      ]),
    ).toEqual(['InfluxDB is not reachable (2 of 3 tenants)', 'journal cannot remove: EIO (1 of 3 tenants)']);
  });

  it('counts a second tenant with the reason, not a second list without it', () => {
    expect(mergedReasons([['full'], ['full']])).toEqual(['full (2 of 2 tenants)']);
    expect(mergedReasons([['full'], []])).toEqual(['full (1 of 2 tenants)']);
  });
});
