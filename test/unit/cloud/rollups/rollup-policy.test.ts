import { describe, expect, it } from 'vitest';
import { rollupShardDuration } from '../../../../cloud/rollups/rollup-policy.ts';

describe("the rollups' shard group duration", () => {
  it('is 52 weeks when they are kept two years or more, the raw policy rule below', () => {
    expect(rollupShardDuration(3650)).toBe('52w');
    expect(rollupShardDuration(730)).toBe('52w');
    expect(rollupShardDuration(729)).toBe('7d');
    expect(rollupShardDuration(180)).toBe('1d');
  });
});
