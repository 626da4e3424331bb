import { describe, expect, it } from 'vitest';
import { redacted } from '../../../../cloud/postgres/database.ts';
import { quoteSchema, tenantSchemaName } from '../../../../cloud/postgres/schema-name.ts';

describe('tenantSchemaName', () => {
  it('prefixes the id and writes its dashes as underscores', () => {
    expect(tenantSchemaName('karlovy-vary')).toBe('t_karlovy_vary');
    expect(tenantSchemaName('cheb')).toBe('t_cheb');
    expect(tenantSchemaName(`a${'b'.repeat(39)}`)).toHaveLength(42);
  });

  it.each(['', 'x', 'Cheb', 'a_b', '1city', 'cheb"', `a${'b'.repeat(40)}`])('refuses %j', (id) => {
    expect(() => tenantSchemaName(id)).toThrow(/is not a tenant id/);
  });
});

describe('quoteSchema', () => {
  it('quotes a plain name', () => {
    expect(quoteSchema('platform')).toBe('"platform"');
    expect(quoteSchema('t_karlovy_vary')).toBe('"t_karlovy_vary"');
    expect(quoteSchema(`_${'a'.repeat(62)}`)).toBe(`"_${'a'.repeat(62)}"`);
  });

  it.each(['', 'Platform', 'a-b', 'a"b', '1a', 'a b', `a${'b'.repeat(63)}`])('refuses %j', (name) => {
    expect(() => quoteSchema(name)).toThrow(/is not a schema name/);
  });
});

describe('redacted', () => {
  it('hides the password and keeps the rest', () => {
    expect(redacted('postgres://city:secret@db:5432/city')).toBe('postgres://city:***@db:5432/city');
    expect(redacted('postgres://city@db/city')).toBe('postgres://city@db/city');
    expect(redacted('not a url: secret')).toBe('(an unreadable URL)');
  });
});
