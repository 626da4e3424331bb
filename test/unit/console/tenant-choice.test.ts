import { describe, expect, it } from 'vitest';
import { chooseTenant, withTenant } from '../../../console/src/tenant/choice.ts';

describe("a region account's town", () => {
  const towns = ['karlovy-vary', 'loket', 'sokolov'];

  it('is the first preferred one (the address, the tab, the browser)', () => {
    expect(chooseTenant(towns, ['loket', 'sokolov', 'karlovy-vary'])).toBe('loket');
  });

  it('skips a preferred one it may not see, or none named', () => {
    expect(chooseTenant(towns, [undefined, 'sokolov'])).toBe('sokolov');
    expect(chooseTenant(towns, ['cheb', undefined, 'sokolov'])).toBe('sokolov');
  });

  it('is the first it may see when no preferred one is among them', () => {
    expect(chooseTenant(towns, ['cheb', 'as'])).toBe('karlovy-vary');
    expect(chooseTenant(towns, [undefined])).toBe('karlovy-vary');
    expect(chooseTenant(towns, [])).toBe('karlovy-vary');
  });

  it('is none when it may see no town', () => {
    expect(chooseTenant([], ['loket'])).toBeUndefined();
  });
});

describe('the address of a town', () => {
  it('sets tenant= and keeps the path, the other parameters and the fragment', () => {
    expect(withTenant('/alerts/a-1?state=open#history', 'loket')).toBe(
      '/alerts/a-1?state=open&tenant=loket#history',
    );
  });

  it('replaces the town it named before', () => {
    expect(withTenant('/map?tenant=karlovy-vary', 'loket')).toBe('/map?tenant=loket');
    expect(withTenant('/', 'karlovy-vary')).toBe('/?tenant=karlovy-vary');
  });
});
