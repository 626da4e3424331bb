import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { duplicateKey, parseStrictJson } from '../../../shared/strict-json.ts';

const bytes = (...values: number[]) => Uint8Array.from(values);

describe('parseStrictJson: bytes that are not UTF-8', () => {
  it.each([
    ['a lone continuation byte', bytes(0x7b, 0x80, 0x7d)],
    ['a truncated two-byte sequence', bytes(0x22, 0xc3, 0x22)],
    ['an overlong encoding of "/"', bytes(0x22, 0xc0, 0xaf, 0x22)],
    ['an encoded surrogate', bytes(0x22, 0xed, 0xa0, 0x80, 0x22)],
    ['a code point above U+10FFFF', bytes(0x22, 0xf4, 0x90, 0x80, 0x80, 0x22)],
    ['0xFF', bytes(0x22, 0xff, 0x22)],
  ])('refuses %s instead of replacing it with U+FFFD', (_name, payload) => {
    expect(parseStrictJson(payload)).toEqual({
      ok: false,
      reason: 'invalid-utf8',
      message: 'payload is not well-formed UTF-8',
    });
  });

  it('keeps a byte order mark, which JSON then refuses, rather than dropping it', () => {
    const result = parseStrictJson(bytes(0xef, 0xbb, 0xbf, 0x7b, 0x7d));
    expect(result).toMatchObject({ ok: false, reason: 'invalid-json' });
  });

  it('reads well-formed UTF-8, the replacement character itself included, exactly', () => {
    const text = '{"id":"lamp-ü-€-𝄞-\ufffd"}';
    expect(parseStrictJson(Buffer.from(text))).toEqual({ ok: true, value: { id: 'lamp-ü-€-𝄞-\ufffd' } });
  });
});

describe('parseStrictJson: keys given twice', () => {
  it.each([
    ['{"a":1,"a":2}', 'a'],
    ['{"a":1,"\\u0061":2}', 'a'],
    ['{"x":{"deviceId":"a","kind":"b","deviceId":"c"}}', 'deviceId'],
    ['[{"a":1},{"b":[{"c":1,"c":1}]}]', 'c'],
    ['{"a\\"b":1,"a\\"b":2}', 'a"b'],
  ])('refuses %s (key %j)', (text, key) => {
    expect(duplicateKey(text)).toBe(key);
    // A key is text the sender chose: the message names it only when it is a field of the contract.
    const named = key === 'deviceId' ? `the key "deviceId"` : 'a key';
    expect(parseStrictJson(Buffer.from(text))).toEqual({
      ok: false,
      reason: 'duplicate-json-key',
      message: `an object has ${named} twice`,
    });
  });

  it('says where a payload stops being JSON without quoting it', () => {
    expect(parseStrictJson(Buffer.from('{"plate":"1AB 2345"'))).toEqual({
      ok: false,
      reason: 'invalid-json',
      message: 'payload is not JSON (error at position 19)',
    });
  });

  it.each([
    '{"a":1,"b":{"a":1}}',
    '[{"a":1},{"a":2}]',
    '{"a":"a","b":"a"}',
    '{"a":["a","a"]}',
    '{"":1,"b":{},"c":[]}',
    '{"a":"}\\\\","b":"{\\"a\\":1,\\"a\\":2}"}',
  ])('accepts %s, where no object repeats a key', (text) => {
    expect(parseStrictJson(Buffer.from(text))).toEqual({ ok: true, value: JSON.parse(text) });
  });

  it('refuses invalid JSON as such', () => {
    expect(parseStrictJson(Buffer.from('{"a":1,}'))).toMatchObject({ ok: false, reason: 'invalid-json' });
  });
});

/** A JSON value written by hand, so that an object may repeat a key (JSON.stringify cannot). */
type Value = { object: [string, Value][] } | { array: Value[] } | { leaf: string | number | boolean | null };

const value: fc.Arbitrary<Value> = fc.letrec<{ value: Value }>((tie) => ({
  value: fc.oneof(
    { depthSize: 'small', withCrossShrink: true },
    fc.record({
      leaf: fc.oneof(
        fc.string(),
        fc.double({ noNaN: true, noDefaultInfinity: true }),
        fc.boolean(),
        fc.constant(null),
      ),
    }),
    fc.record({ array: fc.array(tie('value'), { maxLength: 4 }) }),
    fc.record({
      object: fc.array(fc.tuple(fc.constantFrom('a', 'b', 'é', '"', '\\', '{', '\u0000'), tie('value')), {
        maxLength: 4,
      }),
    }),
  ),
})).value;

/** The text, written with or without escapes for every key character. */
function write(v: Value, escapeAll: boolean): string {
  if ('leaf' in v) return JSON.stringify(v.leaf);
  if ('array' in v) return `[${v.array.map((item) => write(item, escapeAll)).join(',')}]`;
  const key = (k: string) =>
    escapeAll
      ? `"${[...k].map((c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`).join('')}"`
      : JSON.stringify(k);
  return `{${v.object.map(([k, item]) => `${key(k)}:${write(item, escapeAll)}`).join(',')}}`;
}

function hasDuplicate(v: Value): boolean {
  if ('leaf' in v) return false;
  if ('array' in v) return v.array.some(hasDuplicate);
  const keys = v.object.map(([k]) => k);
  return new Set(keys).size < keys.length || v.object.some(([, item]) => hasDuplicate(item));
}

describe('duplicateKey (property)', () => {
  it('finds a repeated key exactly when some object of the value repeats one, escaped or not', () => {
    fc.assert(
      fc.property(value, fc.boolean(), (v, escapeAll) => {
        const text = write(v, escapeAll);
        JSON.parse(text); // the scanner is for valid JSON only
        expect(duplicateKey(text) !== undefined).toBe(hasDuplicate(v));
      }),
      { numRuns: 2_000 },
    );
  });

  it('parseStrictJson refuses exactly those values, with its fast count or without (white space)', () => {
    // The key strings include '"' and ':' so that escaped quotes before colons occur; spaced JSON
    // (a space after every ':' and ',' and before every ':') takes the exact scan.
    fc.assert(
      fc.property(value, fc.boolean(), fc.boolean(), (v, escapeAll, spaced) => {
        const compact = write(v, escapeAll);
        const text = spaced ? compact.replace(/":/g, '" : ').replace(/,"/g, ', "') : compact;
        const verdict = parseStrictJson(Buffer.from(text));
        if (!hasDuplicate(v)) expect(verdict).toEqual({ ok: true, value: JSON.parse(text) });
        else expect(verdict).toMatchObject({ ok: false, reason: 'duplicate-json-key' });
      }),
      { numRuns: 2_000 },
    );
  });
});
