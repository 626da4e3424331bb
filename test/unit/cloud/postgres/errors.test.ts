import { describe, expect, it } from 'vitest';
import { isConnectionError } from '../../../../cloud/postgres/errors.ts';

const withCode = (code: string, message = 'x') => Object.assign(new Error(message), { code });

describe('isConnectionError', () => {
  it.each([
    ['a server shutting down', withCode('57P01', 'terminating connection due to administrator command')],
    ['a crash', withCode('57P02')],
    ['a server starting', withCode('57P03', 'the database system is starting up')],
    ['a connection failure', withCode('08006')],
    ['a refused socket', withCode('ECONNREFUSED')],
    ['a reset socket', withCode('ECONNRESET')],
    ['a connection that ended', new Error('Connection terminated unexpectedly')],
    ['every address refused', new AggregateError([withCode('ECONNREFUSED'), withCode('ECONNREFUSED')])],
  ])('retries %s', (_, error) => {
    expect(isConnectionError(error)).toBe(true);
  });

  it.each([
    ['a duplicate key', withCode('23505', 'duplicate key value violates unique constraint')],
    ['a syntax error', withCode('42601')],
    ['a query cancelled', withCode('57014')],
    ['a serialization failure', withCode('40001')],
    ['a plain error', new Error('Connection refused by policy')],
    ['not an error', 'ECONNREFUSED'],
  ])('does not retry %s', (_, error) => {
    expect(isConnectionError(error)).toBe(false);
  });
});
