import { spawnSync } from 'node:child_process';
import { existsSync, writeFileSync } from 'node:fs';
import { mkdir } from 'node:fs/promises';
import { basename } from 'node:path';

function run(command: string, args: string[]): { ok: boolean; said: string } {
  const result = spawnSync(command, args, { encoding: 'utf8' });
  return { ok: result.status === 0, said: `${result.stdout ?? ''}${result.stderr ?? ''}`.trim() };
}

/**
 * A small ext4 file system on a loop device, mounted at `path` with `errors=remount-ro` (root only):
 * `fail()` makes the kernel record a file-system error (ext4's `trigger_fs_error`), so ext4 turns
 * the whole file system read-only under the running process, as it does on a real disk error. That is
 * how a disk becomes read-only under a running database: a plain `mount -o remount,ro` is refused
 * (EBUSY) while any file is open for writing. Undoing it needs what an operator does: `repair()`
 * unmounts, checks (e2fsck) and mounts it again. `{ refused }` where the machine does not allow it.
 */
export async function mountExt4Disk(
  path: string,
  sizeMb: number,
): Promise<{ fail(): void; isReadOnly(): boolean; repair(): void; unmount(): void } | { refused: string }> {
  if (process.getuid?.() !== 0) return { refused: 'mounting a loop device needs root' };
  await mkdir(path, { recursive: true });
  const image = `${path}.img`;
  const truncated = run('truncate', ['-s', `${sizeMb}M`, image]);
  if (!truncated.ok) return { refused: `truncate failed: ${truncated.said}` };
  const made = run('mkfs.ext4', ['-q', '-F', image]);
  if (!made.ok) return { refused: `mkfs.ext4 failed: ${made.said}` };
  const mount = () => run('mount', ['-o', 'loop,errors=remount-ro', image, path]);
  const mounted = mount();
  if (!mounted.ok) return { refused: `mount -o loop failed: ${mounted.said}` };
  const device = basename(run('findmnt', ['-n', '-o', 'SOURCE', path]).said);
  const trigger = `/sys/fs/ext4/${device}/trigger_fs_error`;
  if (!existsSync(trigger)) {
    run('umount', [path]);
    return { refused: `${trigger} is missing (kernel without it)` };
  }
  const options = () => run('findmnt', ['-n', '-o', 'OPTIONS', path]).said.split(',');
  return {
    fail() {
      writeFileSync(trigger, '1');
    },
    isReadOnly: () => options().some((o) => o === 'ro' || o === 'emergency_ro'),
    repair() {
      const unmounted = run('umount', [path]);
      if (!unmounted.ok) throw new Error(`umount ${path} failed: ${unmounted.said}`);
      // e2fsck exits 1 when it corrected errors (the recorded one): that is success here.
      const check = spawnSync('e2fsck', ['-f', '-y', image], { encoding: 'utf8' });
      if (check.status !== 0 && check.status !== 1) throw new Error(`e2fsck failed: ${check.stdout}`);
      const again = mount();
      if (!again.ok) throw new Error(`mounting ${path} again failed: ${again.said}`);
    },
    unmount() {
      run('umount', ['-l', path]);
    },
  };
}
