import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import { describeIssues } from '../../../shared/issues.ts';
import { gatewayConfig } from '../../../shared/messages.ts';

const issues = (schema: z.ZodType, value: unknown) => {
  const result = schema.safeParse(value);
  if (result.success) throw new Error('expected a zod error');
  return describeIssues(result.error);
};

describe('describeIssues', () => {
  it('paths through contract fields and indices, and hides any other key', () => {
    const config = {
      v: 1,
      version: 2,
      reportingIntervalS: 60,
      deadband: { activePower: -1, 'SECRET-KEY': -2 },
    };
    expect(issues(gatewayConfig, config)).toBe(
      'deadband.activePower: Too small: expected number to be >=0; deadband.*: Invalid key in record',
    );
    expect(
      issues(z.object({ readings: z.array(z.object({ v: z.number() })) }), { readings: [{ v: 'x' }] }),
    ).toBe('readings[0].v: Invalid input: expected number, received string');
  });

  it('names unknown keys only when they are contract field names, and cuts long lists', () => {
    expect(issues(z.object({}).strict(), { reason: 1, 'SECRET-KEY': 2, other: 3 })).toBe(
      '(message): unknown field "reason", 2 unknown fields',
    );
    const many = z.array(z.number());
    expect(
      issues(
        many,
        Array.from({ length: 12 }, () => 'x'),
      ),
    ).toMatch(/; and 2 more$/);
  });
});
