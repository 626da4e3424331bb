import { describe, expect, it } from 'vitest';
import { derived, fromPg, type PgColumn, toPg } from '../../../../scripts/tenant/postgres-rows.ts';

const column = (type: string): PgColumn => ({ type, serial: false });
const config = derived.gateway_configs?.config;

describe("a PostgreSQL row in SQLite's shape", () => {
  it('reads a boolean as 1 or 0, a BIGINT (text from pg) as a number, anything else as it is', () => {
    expect(fromPg(true, column('boolean'))).toBe(1);
    expect(fromPg(false, column('boolean'))).toBe(0);
    expect(fromPg('1796037390824', column('bigint'))).toBe(1796037390824);
    expect(fromPg('0042', column('text'))).toBe('0042');
    expect(fromPg(2.5, column('double precision'))).toBe(2.5);
    expect(fromPg(null, column('boolean'))).toBeNull();
    expect(fromPg(undefined, undefined)).toBeNull();
  });

  it('writes 0 as false and any other number as true into a boolean; nothing else is changed', () => {
    expect(toPg(0, column('boolean'))).toBe(false);
    expect(toPg(1, column('boolean'))).toBe(true);
    expect(toPg(null, column('boolean'))).toBeNull();
    expect(toPg(0, column('bigint'))).toBe(0);
    expect(toPg('x', column('text'))).toBe('x');
  });

  it("keeps a gateway's configuration whole in SQLite and without v and version in PostgreSQL, keys in order", () => {
    const whole = '{"v":1,"version":3,"reportingIntervalS":120,"deadband":{},"maxSilenceS":600}';
    expect(config?.from).toEqual(['version', 'change']);
    expect(config?.write(whole)).toEqual({
      change: '{"reportingIntervalS":120,"deadband":{},"maxSilenceS":600}',
    });
    expect(
      config?.read({ version: 3, change: '{"reportingIntervalS":120,"deadband":{},"maxSilenceS":600}' }),
    ).toBe(whole);
  });
});
