import { createHash, type Hash } from 'node:crypto';
import { type FileHandle, mkdir, open, rename, rm } from 'node:fs/promises';
import { dirname, join } from 'node:path';

/** Text gathered before a write: big enough that a part is written in few system calls. */
const chunkBytes = 256 * 1024;

/**
 * One part of an export being written: under a temporary name (`<path>.partial`), hashed and counted
 * as it goes; `finish` flushes it to disk and renames it into place, so a part under its own name is
 * always whole. A part abandoned by a crash stays `.partial` and is removed by the next run.
 */
export class PartFile {
  readonly path: string;
  rows = 0;
  private readonly target: string;
  private readonly handle: FileHandle;
  private readonly hash: Hash = createHash('sha256');
  private bytes = 0;
  private pending: string[] = [];
  private pendingLength = 0;

  private constructor(path: string, target: string, handle: FileHandle) {
    this.path = path;
    this.target = target;
    this.handle = handle;
  }

  /** Opens `<folder>/<path>.partial` for writing (readable by its owner only: a town's data). */
  static async create(folder: string, path: string): Promise<PartFile> {
    const target = join(folder, path);
    await mkdir(dirname(target), { recursive: true });
    return new PartFile(path, target, await open(`${target}.partial`, 'w', 0o600));
  }

  /** Appends text holding `rows` rows (lines of NDJSON or line protocol, CSV records). */
  async write(text: string, rows = 0): Promise<void> {
    this.rows += rows;
    this.pending.push(text);
    this.pendingLength += text.length;
    if (this.pendingLength >= chunkBytes) await this.flush();
  }

  /** Flushes, syncs and renames the part into place; returns its size and checksum. */
  async finish(): Promise<{ rows: number; bytes: number; sha256: string }> {
    await this.flush();
    await this.handle.sync();
    await this.handle.close();
    await rename(`${this.target}.partial`, this.target);
    await syncFolder(dirname(this.target));
    return { rows: this.rows, bytes: this.bytes, sha256: this.hash.digest('hex') };
  }

  /** Closes and deletes the unfinished part. */
  async abandon(): Promise<void> {
    await this.handle.close().catch(() => undefined);
    await rm(`${this.target}.partial`, { force: true });
  }

  private async flush(): Promise<void> {
    if (this.pending.length === 0) return;
    const chunk = Buffer.from(this.pending.join(''));
    this.pending = [];
    this.pendingLength = 0;
    this.hash.update(chunk);
    this.bytes += chunk.length;
    await this.handle.writeFile(chunk);
  }
}

/** Flushes a folder's entries (a rename in it) to disk. */
export async function syncFolder(path: string): Promise<void> {
  const folder = await open(path, 'r');
  try {
    await folder.sync();
  } finally {
    await folder.close();
  }
}

/** Writes a part with `fill`, finishing it, or abandoning it when `fill` throws. */
export async function writePart(
  folder: string,
  path: string,
  fill: (part: PartFile) => Promise<void>,
): Promise<{ rows: number; bytes: number; sha256: string }> {
  const part = await PartFile.create(folder, path);
  try {
    await fill(part);
  } catch (error) {
    await part.abandon();
    throw error;
  }
  return part.finish();
}
