import { describe, expect, it } from 'vitest';
import { quoteIdent, quoteString, rows } from '../../../../cloud/storage/influxql.ts';

describe('quoteIdent', () => {
  it('double-quotes plain names', () => {
    expect(quoteIdent('streetlight')).toBe('"streetlight"');
  });

  it('escapes double quotes and backslashes, backslashes first', () => {
    expect(quoteIdent('a"b\\c')).toBe('"a\\"b\\\\c"');
    expect(quoteIdent('\\"')).toBe('"\\\\\\""');
  });

  it('leaves single quotes alone', () => {
    expect(quoteIdent("it's")).toBe(`"it's"`);
  });

  it('cannot be broken out of with a trailing backslash', () => {
    // Unescaped, `x\` would turn the closing quote into an escaped one.
    expect(quoteIdent('x\\')).toBe('"x\\\\"');
  });
});

describe('quoteString', () => {
  it('single-quotes and escapes quotes and backslashes', () => {
    expect(quoteString("a'b\\c")).toBe("'a\\'b\\\\c'");
  });

  it('keeps an injection attempt inside the literal', () => {
    const quoted = quoteString("x' OR 1=1; DROP MEASUREMENT camera; --");
    expect(quoted).toBe("'x\\' OR 1=1; DROP MEASUREMENT camera; --'");
    // The only unescaped quotes are the delimiters.
    expect(quoted.replace(/\\\\|\\'/g, '').match(/'/g)).toHaveLength(2);
  });

  it('does not double escape a backslash that precedes a quote', () => {
    expect(quoteString("\\'")).toBe("'\\\\\\''");
  });

  it('leaves double quotes and unicode alone', () => {
    expect(quoteString('lamp ,=ü"1')).toBe(`'lamp ,=ü"1'`);
  });
});

describe('rows', () => {
  it('maps each value array to an object keyed by column', () => {
    expect(
      rows({
        name: 'camera',
        columns: ['time', 'peopleCount', 'device'],
        values: [
          [1_795_363_200_000, 12, 'cam-1'],
          [1_795_363_260_000, null, 'cam-2'],
        ],
      }),
    ).toEqual([
      { time: 1_795_363_200_000, peopleCount: 12, device: 'cam-1' },
      { time: 1_795_363_260_000, peopleCount: null, device: 'cam-2' },
    ]);
  });

  it('gives undefined for missing trailing values and an empty list for no values', () => {
    expect(rows({ name: 'x', columns: ['a', 'b'], values: [[1]] })).toEqual([{ a: 1, b: undefined }]);
    expect(rows({ name: 'x', columns: ['a'], values: [] })).toEqual([]);
  });

  it('returns an empty list for a missing series', () => {
    expect(rows(undefined)).toEqual([]);
  });
});
