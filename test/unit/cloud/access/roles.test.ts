import { describe, expect, it } from 'vitest';
import { allows, type Role, role, roles } from '../../../../cloud/access/roles.ts';

describe('roles', () => {
  it('are ordered reader < viewer < operator < admin', () => {
    expect(roles).toEqual(['reader', 'viewer', 'operator', 'admin']);
    expect(role.options).toEqual(['reader', 'viewer', 'operator', 'admin']);
  });

  // Every held role against every required one: below, at and above it.
  it.each([
    ['reader', 'reader', true],
    ['reader', 'viewer', false],
    ['reader', 'admin', false],
    ['viewer', 'reader', true],
    ['viewer', 'viewer', true],
    ['viewer', 'operator', false],
    ['viewer', 'admin', false],
    ['operator', 'viewer', true],
    ['operator', 'operator', true],
    ['operator', 'admin', false],
    ['admin', 'viewer', true],
    ['admin', 'operator', true],
    ['admin', 'admin', true],
  ] as [Role, Role, boolean][])('%s may do what %s may: %s', (held, required, expected) => {
    expect(allows(held, required)).toBe(expected);
  });

  it('parses only the four role names', () => {
    expect(role.safeParse('operator').success).toBe(true);
    expect(role.safeParse('Admin').success).toBe(false);
    expect(role.safeParse('').success).toBe(false);
  });
});
