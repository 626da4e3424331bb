import { contractFieldNames } from './field-names.ts';

/**
 * JSON read from bytes without rewriting them. `Buffer#toString('utf8')` replaces bytes that are not
 * UTF-8 with U+FFFD, and `JSON.parse` keeps the last of two equal keys: both silently turn what was
 * sent into something else (two different device ids into one, a refused value hidden behind an
 * accepted one). Here both are refused, with a reason a dead letter or a log line can carry.
 */
export type StrictJson =
  | { ok: true; value: unknown }
  | { ok: false; reason: 'invalid-utf8' | 'invalid-json' | 'duplicate-json-key'; message: string };

const quote = 0x22;
const colon = 0x3a;
const backslash = 0x5c;

/** `ignoreBOM`: a byte order mark stays in the text (and JSON.parse refuses it) rather than vanishing. */
const utf8 = new TextDecoder('utf-8', { fatal: true, ignoreBOM: true });

/** Decodes UTF-8 strictly: undefined when the bytes are not well-formed UTF-8. */
export function decodeUtf8(bytes: Uint8Array): string | undefined {
  try {
    return utf8.decode(bytes);
  } catch {
    return undefined;
  }
}

export function parseStrictJson(bytes: Uint8Array): StrictJson {
  const text = decodeUtf8(bytes);
  if (text === undefined) {
    return { ok: false, reason: 'invalid-utf8', message: 'payload is not well-formed UTF-8' };
  }
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (error) {
    // V8's message quotes the text around the error: only the position is kept (no payload values).
    const position = /at position (\d+)/.exec((error as Error).message)?.[1];
    return {
      ok: false,
      reason: 'invalid-json',
      message: `payload is not JSON${position ? ` (error at position ${position})` : ''}`,
    };
  }
  // The exact scan runs only when the cheap count says a key may be missing from the parsed value.
  const bound = keyTokensAtMost(bytes);
  const duplicate = bound !== undefined && bound === keyCount(value) ? undefined : duplicateKey(text);
  if (duplicate !== undefined) {
    // A key is text the sender chose: named only when it is a field of the contract.
    const named = contractFieldNames.has(duplicate) ? `the key ${JSON.stringify(duplicate)}` : 'a key';
    return { ok: false, reason: 'duplicate-json-key', message: `an object has ${named} twice` };
  }
  return { ok: true, value };
}

/**
 * An upper bound of the keys written in `bytes` (JSON), or undefined when it cannot be had cheaply.
 * A key ends with `"` right before its `:`; a string value adds one only where it holds an escaped
 * quote before a colon. JSON with white space after a quote (`"a" : 1`, or a string value starting
 * with a space) is left to the exact scan. Bytes, not text: in UTF-8 the bytes of `"` and `:` occur
 * only as those characters, and one pass over bytes is the cheapest scan here (~0.25 µs a reading).
 */
function keyTokensAtMost(bytes: Uint8Array): number | undefined {
  let count = 0;
  const last = bytes.length - 1;
  for (let i = 0; i < last; i++) {
    if (bytes[i] !== quote) continue;
    const next = bytes[i + 1];
    if (next === colon) count++;
    else if (next === 0x20 || next === 0x09 || next === 0x0a || next === 0x0d) return undefined;
  }
  return count;
}

/**
 * The keys of every object in a parsed value. JSON.parse keeps one key of a repeated pair, so a
 * value with as many keys as `keyTokensAtMost` counts in its text has no repeated key. Iterative: a
 * payload may nest deeper than the stack.
 */
function keyCount(value: unknown): number {
  let count = 0;
  const pending: unknown[] = [value];
  while (pending.length > 0) {
    const node = pending.pop();
    if (typeof node !== 'object' || node === null) continue;
    if (Array.isArray(node)) {
      for (const item of node) pending.push(item);
      continue;
    }
    for (const key in node) {
      count++;
      pending.push((node as Record<string, unknown>)[key]);
    }
  }
  return count;
}

/**
 * The first key that appears twice in one object of `text`, which must be valid JSON (parse it
 * first): then a single pass over brackets, commas and strings finds every object's keys, without a
 * second parser. Keys are compared decoded ("a" and "\u0061" are the same key).
 * Written here rather than taken from a library: the JSON parsers that report duplicates (an AST
 * parser such as @humanwhocodes/momoa, or a validating parser) parse the whole text a second time
 * into a tree, on the hot path of every telemetry batch; this scan is ~40 lines, allocates one set
 * per object, and its property test compares it with a model of where duplicates were put.
 */
export function duplicateKey(text: string): string | undefined {
  /** One entry per open bracket: the keys seen so far for an object, undefined for an array. */
  const open: (Set<string> | undefined)[] = [];
  let expectKey = false;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (c === quote) {
      let end = i + 1;
      let escaped = false;
      for (let d = text.charCodeAt(end); d !== quote; d = text.charCodeAt(++end)) {
        if (d === backslash) {
          escaped = true;
          end++;
        }
      }
      if (expectKey) {
        const key: string = escaped ? JSON.parse(text.slice(i, end + 1)) : text.slice(i + 1, end);
        const keys = open[open.length - 1] as Set<string>;
        if (keys.has(key)) return key;
        keys.add(key);
        expectKey = false;
      }
      i = end;
    } else if (c === 0x7b /* { */) {
      open.push(new Set());
      expectKey = true;
    } else if (c === 0x5b /* [ */) {
      open.push(undefined);
      expectKey = false;
    } else if (c === 0x7d /* } */ || c === 0x5d /* ] */) {
      open.pop();
      expectKey = false;
    } else if (c === 0x2c /* , */) {
      expectKey = open[open.length - 1] !== undefined;
    }
  }
  return undefined;
}
