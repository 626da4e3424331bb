import type { Server } from 'node:http';
import express from 'express';
import { pino } from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { problemHandler } from '../../../../cloud/api/errors.ts';
import { percentDecode, refuseRewrittenBytes } from '../../../../cloud/api/request-bytes.ts';

let server: Server;
let base: string;

beforeAll(async () => {
  const app = express();
  app.set('query parser', 'simple');
  app.use(refuseRewrittenBytes);
  app.get('/devices/:id', (req, res) => {
    res.json({ id: req.params.id, query: req.query });
  });
  app.use(problemHandler(pino({ level: 'silent' })));
  server = app.listen(0, '127.0.0.1');
  await new Promise((resolve) => server.once('listening', resolve));
  const address = server.address();
  base = `http://127.0.0.1:${typeof address === 'object' && address ? address.port : 0}`;
});

afterAll(() => new Promise((resolve) => server.close(resolve)));

async function get(path: string) {
  const res = await fetch(`${base}${path}`);
  return { status: res.status, body: (await res.json()) as Record<string, unknown> };
}

describe('percentDecode', () => {
  it('gives the bytes a URL part stands for', () => {
    expect([...percentDecode('a%C3%BC%ff%zz%')]).toEqual([0x61, 0xc3, 0xbc, 0xff, 0x25, 0x7a, 0x7a, 0x25]);
  });
});

describe('refuseRewrittenBytes', () => {
  it.each([
    [
      'a query value that is not UTF-8',
      '/devices/lamp-1?q=%FF',
      'query parameter "q" is not well-formed UTF-8 once percent-decoded',
    ],
    [
      'an encoded surrogate',
      '/devices/lamp-1?q=%ED%A0%80',
      'query parameter "q" is not well-formed UTF-8 once percent-decoded',
    ],
    [
      'NUL in a query value',
      '/devices/lamp-1?device=lamp%001',
      'query parameter "device" contains a NUL or control character',
    ],
    [
      'a newline in a query value',
      '/devices/lamp-1?q=a%0Ab',
      'query parameter "q" contains a NUL or control character',
    ],
    [
      'a C1 control character',
      '/devices/lamp-1?q=%C2%85',
      'query parameter "q" contains a NUL or control character',
    ],
    [
      'a parameter name that is not UTF-8',
      '/devices/lamp-1?%FE=1',
      'a query parameter name is not well-formed UTF-8 once percent-decoded',
    ],
    [
      'a path id that is not UTF-8',
      '/devices/lamp-%C3',
      'a path segment is not well-formed UTF-8 once percent-decoded',
    ],
    ['NUL in a path id', '/devices/lamp%00-1', 'a path segment contains a NUL or control character'],
  ])('answers 400 to %s instead of reading it as U+FFFD', async (_name, path, detail) => {
    const { status, body } = await get(path);
    expect(status).toBe(400);
    expect(body.detail).toBe(detail);
  });

  it('passes well-formed UTF-8, "+" as a space and a literal "%" through unchanged', async () => {
    const { status, body } = await get('/devices/lamp-%C3%BC?q=a+b%25&district=Star%C3%A9%20M%C4%9Bsto');
    expect(status).toBe(200);
    expect(body).toEqual({ id: 'lamp-ü', query: { q: 'a b%', district: 'Staré Město' } });
  });

  it('passes the replacement character itself when it was sent as such', async () => {
    const { status, body } = await get('/devices/x?q=%EF%BF%BD');
    expect(status).toBe(200);
    expect(body.query).toEqual({ q: '\ufffd' });
  });
});
