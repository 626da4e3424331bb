import { once } from 'node:events';
import type { AddressInfo } from 'node:net';
import express from 'express';
import { describe, expect, it } from 'vitest';
import { answerChunkBytes, joinInChunks, sendParts } from '../../../../cloud/api/byte-answers.ts';

const bytes = (n: number, fill = 'a') => Buffer.alloc(n, fill);
const sizes = (chunks: Buffer[]) => chunks.map((c) => c.length);

describe('joinInChunks', () => {
  it('joins parts in order into chunks of at most the size given', () => {
    const parts = [bytes(3, 'a'), bytes(3, 'b'), bytes(3, 'c'), bytes(1, 'd')];
    const chunks = joinInChunks(parts, 6);
    expect(sizes(chunks)).toEqual([6, 4]);
    expect(Buffer.concat(chunks).toString()).toBe('aaabbbcccd');
  });

  it('fills a chunk up to exactly its size, and starts the next one a byte later', () => {
    expect(sizes(joinInChunks([bytes(4), bytes(2), bytes(1)], 6))).toEqual([6, 1]);
    expect(sizes(joinInChunks([bytes(4), bytes(3)], 6))).toEqual([4, 3]);
  });

  it('keeps a part larger than a chunk as a chunk of its own, not copied', () => {
    const large = bytes(10, 'x');
    const chunks = joinInChunks([bytes(2), large, bytes(2)], 6);
    expect(sizes(chunks)).toEqual([2, 10, 2]);
    expect(chunks[1]).toBe(large);
  });

  it('passes a lone part on as it is, and leaves out empty parts', () => {
    const only = bytes(5);
    expect(joinInChunks([only], 6)[0]).toBe(only);
    expect(sizes(joinInChunks([bytes(0), bytes(2), bytes(0)], 6))).toEqual([2]);
    expect(joinInChunks([], 6)).toEqual([]);
    expect(joinInChunks([bytes(0)], 6)).toEqual([]);
  });

  it('chunks of 64 kB unless told otherwise', () => {
    expect(answerChunkBytes).toBe(65_536);
    expect(sizes(joinInChunks([bytes(40_000), bytes(25_536), bytes(1)]))).toEqual([65_536, 1]);
  });
});

describe('sendParts', () => {
  it('answers 200 with the parts as the body, its type and length told, whatever the number of chunks', async () => {
    const text = 'ž'.repeat(50_000); // 100,000 bytes of UTF-8, more than one chunk
    const app = express();
    app.get('/parts', (_req, res) =>
      sendParts(res, 'application/geo+json; charset=utf-8', [
        Buffer.from('['),
        Buffer.from(text),
        Buffer.from(']'),
      ]),
    );
    app.get('/empty', (_req, res) => sendParts(res, 'application/json', []));
    const server = app.listen(0, '127.0.0.1');
    await once(server, 'listening');
    try {
      const base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
      const res = await fetch(`${base}/parts`);
      expect(res.status).toBe(200);
      expect(res.headers.get('content-type')).toBe('application/geo+json; charset=utf-8');
      expect(res.headers.get('content-length')).toBe('100002');
      expect(await res.text()).toBe(`[${text}]`);
      const empty = await fetch(`${base}/empty`);
      expect(empty.headers.get('content-length')).toBe('0');
      expect(await empty.text()).toBe('');
      const head = await fetch(`${base}/parts`, { method: 'HEAD' });
      expect(head.headers.get('content-length')).toBe('100002');
    } finally {
      server.close();
    }
  });
});
