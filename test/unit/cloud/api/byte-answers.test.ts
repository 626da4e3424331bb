import { once } from 'node:events';
import type { AddressInfo } from 'node:net';
import express, { type Response } from 'express';
import { describe, expect, it } from 'vitest';
import {
  answerChunkBytes,
  type Chunk,
  ChunkPool,
  joinInChunks,
  sendParts,
} from '../../../../cloud/api/byte-answers.ts';

const bytes = (n: number, fill = 'a') => Buffer.alloc(n, fill);
const sizes = (chunks: Chunk[]) => chunks.map((c) => c.bytes.length);
const text = (chunks: Chunk[]) => Buffer.concat(chunks.map((c) => c.bytes)).toString();
/** Chunks of 6 bytes, each counted as it is taken. */
function sixes() {
  const taken: Buffer[] = [];
  const take = () => {
    const chunk = Buffer.alloc(6, '-');
    taken.push(chunk);
    return chunk;
  };
  return { taken, join: (parts: Buffer[]) => joinInChunks(parts, take, 6) };
}

describe('joinInChunks', () => {
  it('copies parts in order into chunks taken as needed, of at most the size given', () => {
    const { taken, join } = sixes();
    const chunks = join([bytes(3, 'a'), bytes(3, 'b'), bytes(3, 'c'), bytes(1, 'd')]);
    expect(sizes(chunks)).toEqual([6, 4]);
    expect(text(chunks)).toBe('aaabbbcccd');
    expect(taken).toHaveLength(2);
    // Each chunk's bytes are the start of the buffer taken, which comes with them to be given back.
    expect(chunks.map((c) => c.from)).toEqual(taken);
    expect(chunks[1]?.bytes.buffer).toBe(taken[1]?.buffer);
    expect(taken[1]?.toString()).toBe('cccd--');
  });

  it('fills a chunk up to exactly its size, and starts the next one a byte later', () => {
    expect(sizes(sixes().join([bytes(4), bytes(2), bytes(1)]))).toEqual([6, 1]);
    expect(sizes(sixes().join([bytes(4), bytes(3)]))).toEqual([4, 3]);
    const exact = sixes();
    expect(sizes(exact.join([bytes(6), bytes(6)]))).toEqual([6, 6]);
    // A part of exactly a chunk's size is copied into one (only a larger one is passed on as it is).
    expect(exact.taken).toHaveLength(2);
  });

  it('keeps a part larger than a chunk as a chunk of its own, not copied', () => {
    const large = bytes(7, 'x');
    const { taken, join } = sixes();
    const chunks = join([bytes(2), large, bytes(2)]);
    expect(sizes(chunks)).toEqual([2, 7, 2]);
    expect(chunks[1]).toEqual({ bytes: large });
    expect(taken).toHaveLength(2);
  });

  it('leaves out empty parts, and takes no chunk for nothing', () => {
    const { taken, join } = sixes();
    expect(sizes(join([bytes(0), bytes(2), bytes(0)]))).toEqual([2]);
    expect(join([])).toEqual([]);
    expect(join([bytes(0)])).toEqual([]);
    expect(taken).toHaveLength(1);
  });

  it('chunks of 64 kB unless told otherwise', () => {
    expect(answerChunkBytes).toBe(65_536);
    const chunks = joinInChunks([bytes(40_000), bytes(25_536), bytes(1)]);
    expect(sizes(chunks)).toEqual([65_536, 1]);
    expect(chunks.map((c) => c.from?.length)).toEqual([65_536, 65_536]);
  });
});

describe('ChunkPool', () => {
  it('gives chunks of 64 kB, the ones given back first, keeping at most so many', () => {
    const pool = new ChunkPool(2);
    const [a, b, c] = [pool.take(), pool.take(), pool.take()];
    expect([a, b, c].map((x) => x.length)).toEqual([65_536, 65_536, 65_536]);
    expect(new Set([a, b, c]).size).toBe(3);
    pool.give(a);
    pool.give(b);
    pool.give(c);
    expect(pool.size).toBe(2);
    expect(pool.take()).toBe(b);
    expect(pool.take()).toBe(a);
    expect(pool.size).toBe(0);
    expect([a, b, c]).not.toContain(pool.take());
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

  it('gives each chunk back once written and uses it again, many answers at once each whole and its own', async () => {
    const pool = new ChunkPool(8);
    /** 200,000 bytes told apart by their number: four chunks, the last one not full. */
    const body = (n: number) => Array.from({ length: 4 }, (_, k) => Buffer.alloc(50_000, `${n}:${k};`));
    const app = express();
    app.get('/body/:n', (req, res) =>
      sendParts(res, 'application/octet-stream', body(Number(req.params.n)), pool),
    );
    const server = app.listen(0, '127.0.0.1');
    await once(server, 'listening');
    try {
      const base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
      const fetched = async (n: number) =>
        Buffer.from(await (await fetch(`${base}/body/${n}`)).arrayBuffer());
      expect((await fetched(1)).equals(Buffer.concat(body(1)))).toBe(true);
      // Its four chunks given back once written, and taken again by the next answer: none made.
      expect(pool.size).toBe(4);
      expect((await fetched(2)).equals(Buffer.concat(body(2)))).toBe(true);
      expect(pool.size).toBe(4);
      const answers = await Promise.all(Array.from({ length: 40 }, (_, n) => fetched(n)));
      for (const [n, answer] of answers.entries())
        expect(answer.equals(Buffer.concat(body(n))), `answer ${n}`).toBe(true);
      // However many were out at once, at most 8 are kept.
      expect(pool.size).toBeGreaterThanOrEqual(4);
      expect(pool.size).toBeLessThanOrEqual(8);
    } finally {
      server.close();
    }
  });

  it('gives back only the chunks taken from the pool, and none whose write failed', () => {
    const pool = new ChunkPool(8);
    const written: Buffer[] = [];
    let failing = false;
    /** Just what sendParts asks of a response: its writes succeed or fail at once. */
    const res = {
      type: () => res,
      setHeader: () => res,
      write: (bytes: Buffer, done: (error?: Error | null) => void) => {
        written.push(bytes);
        done(failing ? new Error('write EPIPE') : null);
        return true;
      },
      end: () => res,
    } as unknown as Response;
    const parts = [bytes(10, 'a'), bytes(answerChunkBytes + 1, 'b'), bytes(10, 'c')];
    sendParts(res, 'application/json', parts, pool);
    // The large part went as it is and is not the pool's: two chunks back, not three.
    expect(written.map((b) => b.length)).toEqual([10, answerChunkBytes + 1, 10]);
    expect(pool.size).toBe(2);
    failing = true;
    sendParts(res, 'application/json', parts, pool);
    expect(pool.size).toBe(0);
  });
});
