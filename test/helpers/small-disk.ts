import { spawnSync } from 'node:child_process';
import { closeSync, openSync, rmSync, writeSync } from 'node:fs';
import { mkdir } from 'node:fs/promises';

/**
 * A small tmpfs mounted at `path` (root only): a disk the tests can fill from outside the process
 * under test. Undefined where mounting is not allowed (not root, or no tmpfs), with the reason.
 */
export async function mountSmallDisk(
  path: string,
  sizeMb: number,
): Promise<{ fill(): void; free(): void; unmount(): void } | { refused: string }> {
  if (process.getuid?.() !== 0) return { refused: 'mounting a tmpfs needs root' };
  await mkdir(path, { recursive: true });
  const mount = spawnSync('mount', ['-t', 'tmpfs', '-o', `size=${sizeMb}m`, 'tmpfs', path], {
    encoding: 'utf8',
  });
  if (mount.status !== 0) return { refused: `mount -t tmpfs failed: ${mount.stderr.trim()}` };
  const filler = `${path}/filler`;
  return {
    /** Writes a file until the disk is full (ENOSPC). */
    fill() {
      const fd = openSync(filler, 'w');
      const chunk = Buffer.alloc(64 * 1024, 1);
      try {
        for (;;) writeSync(fd, chunk);
      } catch (error) {
        if ((error as NodeJS.ErrnoException).code !== 'ENOSPC') throw error;
      } finally {
        closeSync(fd);
      }
      // The last bytes: a chunk may not have fit whole.
      const small = openSync(filler, 'a');
      try {
        for (;;) writeSync(small, Buffer.alloc(512, 1));
      } catch (error) {
        if ((error as NodeJS.ErrnoException).code !== 'ENOSPC') throw error;
      } finally {
        closeSync(small);
      }
    },
    /** Deletes the file: the space is back. */
    free() {
      rmSync(filler, { force: true });
    },
    unmount() {
      spawnSync('umount', ['-l', path]);
    },
  };
}
