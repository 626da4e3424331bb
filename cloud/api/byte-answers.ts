import type { Response } from 'express';

/**
 * The largest chunk an answer made of parts is written in: below glibc's mmap threshold (128 kB, as
 * the cloud process runs: scripts/cloud-process.ts), so each chunk comes from the heap and goes back
 * to it. Joined whole, a 250 kB answer was mapped and unmapped every time: 340 µs a time against 100.
 */
export const answerChunkBytes = 64 * 1024;

/**
 * Buffers of `answerChunkBytes` for answers' chunks, each used again once the socket has taken what
 * was written from it: a region's map answers (300 kB, hundreds a second) had each allocated new
 * chunks, whose memory outside V8's heap went back only when V8 collected them (50 MB and more of
 * the cloud's RSS under the region bench). At most `most` are kept free; more are made when needed.
 */
export class ChunkPool {
  private readonly free: Buffer[] = [];
  private readonly most: number;

  constructor(most: number) {
    this.most = most;
  }

  take = (): Buffer => this.free.pop() ?? Buffer.allocUnsafeSlow(answerChunkBytes);

  /** A chunk taken from it, written: used again (unless as many are kept free already). */
  give(chunk: Buffer): void {
    if (this.free.length < this.most) this.free.push(chunk);
  }

  /** How many are kept free. */
  get size(): number {
    return this.free.length;
  }
}

/** A chunk to write: its bytes, and the buffer of the pool's they are in (given back once written). */
export interface Chunk {
  bytes: Buffer;
  from?: Buffer;
}

/**
 * The parts copied in order into chunks of at most `chunkBytes` each, taken from `take` (a part
 * larger than that is a chunk of its own, not copied); empty parts are left out.
 */
export function joinInChunks(
  parts: readonly Buffer[],
  take: () => Buffer = () => Buffer.allocUnsafe(answerChunkBytes),
  chunkBytes = answerChunkBytes,
): Chunk[] {
  const chunks: Chunk[] = [];
  let from: Buffer | undefined;
  let used = 0;
  const close = () => {
    if (from !== undefined) chunks.push({ bytes: from.subarray(0, used), from });
    from = undefined;
    used = 0;
  };
  for (const part of parts) {
    if (part.length === 0) continue;
    if (part.length > chunkBytes) {
      close();
      chunks.push({ bytes: part });
      continue;
    }
    if (used + part.length > chunkBytes) close();
    from ??= take();
    part.copy(from, used);
    used += part.length;
  }
  close();
  return chunks;
}

/** The process's chunks for answers (`sendParts`): a few answers' worth kept (4 MB). */
const answerChunks = new ChunkPool(64);

/**
 * Answers 200 with a body made of `parts` (already UTF-8 bytes), of the content type given: its
 * length told, written in chunks of at most `answerChunkBytes` (see `joinInChunks`) from `pool`,
 * each given back when the socket has taken it (not when the write failed: it is left to V8 then).
 */
export function sendParts(
  res: Response,
  contentType: string,
  parts: readonly Buffer[],
  pool: ChunkPool = answerChunks,
): void {
  const chunks = joinInChunks(parts, pool.take);
  res.type(contentType);
  res.setHeader(
    'Content-Length',
    chunks.reduce((bytes, chunk) => bytes + chunk.bytes.length, 0),
  );
  for (const { bytes, from } of chunks)
    res.write(bytes, (error) => {
      if (from !== undefined && !error) pool.give(from);
    });
  res.end();
}
