import { isUtf8 } from 'node:buffer';
import type { RequestHandler } from 'express';
import { InvalidRequestError } from '../errors/domain-error.ts';

// biome-ignore lint/suspicious/noControlCharactersInRegex: control characters are exactly what we refuse
const controlCharacters = /[\u0000-\u001f\u007f-\u009f]/;

const hexPair = /^[0-9A-Fa-f]{2}$/;

/**
 * The bytes a percent-encoded part of a URL stands for. Node hands the request line over as latin1
 * (one character per byte), so a character is its byte; `%` without two hex digits stays itself.
 */
export function percentDecode(raw: string): Buffer {
  const bytes: number[] = [];
  for (let i = 0; i < raw.length; i++) {
    const pair = raw.slice(i + 1, i + 3);
    if (raw[i] === '%' && hexPair.test(pair)) {
      bytes.push(Number.parseInt(pair, 16));
      i += 2;
    } else {
      const code = raw.charCodeAt(i);
      if (code <= 0xff) bytes.push(code);
      else bytes.push(...Buffer.from(raw[i] as string, 'utf8'));
    }
  }
  return Buffer.from(bytes);
}

/** Why one percent-encoded part of a URL is refused, or undefined. `plusIsSpace`: in a query. */
function partProblem(raw: string, plusIsSpace: boolean): string | undefined {
  const bytes = percentDecode(plusIsSpace ? raw.replace(/\+/g, ' ') : raw);
  if (!isUtf8(bytes)) return 'is not well-formed UTF-8 once percent-decoded';
  if (controlCharacters.test(bytes.toString('utf8'))) return 'contains a NUL or control character';
  return undefined;
}

/**
 * Refuses (400) a request whose path or query, percent-decoded, is not UTF-8 or holds a control
 * character. Express's query parser (node:querystring) turns bytes that are not UTF-8 into U+FFFD,
 * which would reach a filter or a stored value as a different string than the one sent; a path
 * id with NUL or a newline has no place in an id. Checked on the raw URL, before any parser.
 */
export const refuseRewrittenBytes: RequestHandler = (req, _res, next) => {
  const url = req.originalUrl;
  const mark = url.indexOf('?');
  const path = mark === -1 ? url : url.slice(0, mark);
  for (const segment of path.split('/')) {
    const problem = partProblem(segment, false);
    if (problem) throw new InvalidRequestError(`a path segment ${problem}`);
  }
  if (mark === -1) return next();
  for (const pair of url.slice(mark + 1).split('&')) {
    const equals = pair.indexOf('=');
    const rawName = equals === -1 ? pair : pair.slice(0, equals);
    const nameProblem = partProblem(rawName, true);
    if (nameProblem) throw new InvalidRequestError(`a query parameter name ${nameProblem}`);
    const name = percentDecode(rawName.replace(/\+/g, ' ')).toString('utf8');
    const valueProblem = equals === -1 ? undefined : partProblem(pair.slice(equals + 1), true);
    if (valueProblem)
      throw new InvalidRequestError(`query parameter ${JSON.stringify(name.slice(0, 64))} ${valueProblem}`);
  }
  next();
};
