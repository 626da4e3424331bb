import { describe, expect, it } from 'vitest';
import { tenantDatabase } from '../../../../cloud/tenants/database-name.ts';

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

  it('names the databases of the shortest and the longest ids', () => {
    expect(tenantDatabase('city', 'ab')).toBe('city_ab');
    expect(tenantDatabase('city', `a${'b'.repeat(39)}`)).toBe(`city_a${'b'.repeat(39)}`);
  });

  it('gives different tenants different databases, none the default one', () => {
    const ids = [
      'default',
      'karlovy-vary',
      'karlovy-vary-2',
      'karlovyvary',
      'cheb',
      'marianske-lazne',
      'bochov',
    ];
    const names = ids.map((id) => tenantDatabase('city', id));
    expect(new Set(names).size).toBe(ids.length);
    expect(names.filter((name) => name === 'city')).toEqual(['city']);
  });
});
