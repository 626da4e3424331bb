import { describe, expect, it } from 'vitest';
import { tenantDatabase } from '../../../../cloud/tenants/database-name.ts';
import { tenantId } from '../../../../cloud/tenants/id.ts';

describe('tenantDatabase', () => {
  it('keeps the base database for the default tenant', () => {
    expect(tenantDatabase('city', 'default')).toBe('city');
    expect(tenantDatabase('other_base', 'default')).toBe('other_base');
  });

  it('appends the id to the base for any other tenant', () => {
    expect(tenantDatabase('city', 'cheb')).toBe('city_cheb');
    expect(tenantDatabase('metrics', 'bochov')).toBe('metrics_bochov');
  });

  it('turns every hyphen into an underscore', () => {
    expect(tenantDatabase('city', 'karlovy-vary')).toBe('city_karlovy_vary');
    expect(tenantDatabase('city', 'a--b-c-')).toBe('city_a__b_c_');
  });

  it('treats ids that only start or end like "default" as ordinary tenants', () => {
    expect(tenantDatabase('city', 'defaults')).toBe('city_defaults');
    expect(tenantDatabase('city', 'x-default')).toBe('city_x_default');
    expect(tenantDatabase('city', 'default-2')).toBe('city_default_2');
  });

  it('accepts ids of 2 and of 40 characters', () => {
    expect(tenantDatabase('city', 'ab')).toBe('city_ab');
    expect(tenantDatabase('city', `a${'b'.repeat(39)}`)).toBe(`city_a${'b'.repeat(39)}`);
  });

  it.each([
    ['empty', ''],
    ['one character', 'a'],
    ['41 characters', `a${'b'.repeat(40)}`],
    ['a leading digit', '1town'],
    ['a leading hyphen', '-town'],
    ['upper case', 'Cheb'],
    ['an underscore', 'karlovy_vary'],
    ['a quote', 'cheb"'],
    ['a space', 'mar lazne'],
    ['a dot', 'cheb.cz'],
    ['a newline after a valid id', 'cheb\n'],
  ])('refuses an id with %s', (_, id) => {
    expect(() => tenantDatabase('city', id)).toThrow(RangeError);
    expect(() => tenantDatabase('city', id)).toThrow(`not a tenant id: ${JSON.stringify(id)}`);
  });
});

describe('tenantId', () => {
  it('says what a tenant id looks like', () => {
    expect(tenantId.safeParse('Cheb').error?.issues[0]?.message).toBe(
      'a slug: a lowercase letter, then 1-39 lowercase letters, digits or "-"',
    );
  });
});
