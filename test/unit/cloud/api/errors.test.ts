import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import { parseWith } from '../../../../cloud/api/errors.ts';
import { DomainError, NotFoundError, ValidationError } from '../../../../cloud/errors/domain-error.ts';

const query = z.object({
  limit: z.coerce.number().int().min(1).max(1_000),
  kind: z.enum(['streetlight', 'wasteBin', 'camera']).optional(),
  range: z.object({ from: z.iso.datetime() }).optional(),
});

describe('ValidationError', () => {
  it('builds one entry per issue with a dotted path prefixed by where the value came from', () => {
    const result = query.safeParse({ limit: '0', kind: 'drone', range: { from: 'yesterday' } });
    if (result.success) throw new Error('expected the query to be invalid');
    const error = new ValidationError('query', result.error);
    const errors = error.extra.errors as { path: string; message: string }[];
    expect(errors.map((e) => e.path)).toEqual(['query.limit', 'query.kind', 'query.range.from']);
    for (const e of errors) expect(e.message.length).toBeGreaterThan(0);
    expect(error.status).toBe(400);
    expect(error.title).toBe('Invalid request');
    expect(error.message).toBe(errors.map((e) => `${e.path}: ${e.message}`).join('; '));
    expect(error).toBeInstanceOf(DomainError);
  });

  it('joins array indices into the path', () => {
    const result = z.object({ ids: z.array(z.string()) }).safeParse({ ids: ['a', 2] });
    if (result.success) throw new Error('expected the body to be invalid');
    const error = new ValidationError('body', result.error);
    expect(error.extra).toEqual({ errors: [{ path: 'body.ids.1', message: expect.any(String) }] });
  });

  it('uses the bare location for an issue on the value itself', () => {
    const result = z.string().safeParse(42);
    if (result.success) throw new Error('expected a failure');
    expect((new ValidationError('params', result.error).extra.errors as { path: string }[])[0]?.path).toBe(
      'params',
    );
  });
});

describe('parseWith', () => {
  it('returns the parsed value', () => {
    expect(parseWith(query, { limit: '10' }, 'query')).toEqual({ limit: 10 });
  });

  it('throws a ValidationError naming the location', () => {
    expect(() => parseWith(query, { limit: 'ten' }, 'query')).toThrow(ValidationError);
    expect(() => parseWith(query, {}, 'query')).toThrow(/^query\.limit: /);
  });
});

describe('NotFoundError', () => {
  it('is a 404 DomainError carrying the detail', () => {
    const error = new NotFoundError('no device lamp-1');
    expect(error).toBeInstanceOf(DomainError);
    expect([error.status, error.title, error.message]).toEqual([404, 'Not Found', 'no device lamp-1']);
    expect(error.extra).toEqual({});
  });
});
