import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { generateFleet } from '../../simulators/fleet.ts';
import { cleanupsAfterAll } from '../helpers/cleanups.ts';
import { mountExt4Disk } from '../helpers/failing-filesystem.ts';
import { startFaultCloud, streamCity } from '../helpers/fault-cloud.ts';
import { expectEveryReadingStored } from '../helpers/recording.ts';
import { tempDir } from '../helpers/temp-dir.ts';
import { waitFor } from '../helpers/wait.ts';

const cleanups = cleanupsAfterAll();

const dir = await tempDir('read-only');
cleanups.push(() => dir.remove());
const disk = await mountExt4Disk(join(dir.path, 'cloud'), 64);
if ('unmount' in disk) cleanups.push(async () => disk.unmount());

describe('the data disk turns read-only under the running cloud (ext4 errors=remount-ro, from outside)', () => {
  it.skipIf('refused' in disk)(
    'refuses without PUBACK, reports 503, stays up; after the operator repairs the disk, all is stored',
    { timeout: 120_000 },
    async () => {
      if ('refused' in disk) return;
      const fleet = generateFleet({ seed: 28, devices: 40, devicesPerGateway: 20 });
      const fault = await startFaultCloud(cleanups, { fleet, database: 'readonly', dir: dir.path });
      const { health, ready } = fault;
      const { city, connects, stop } = await streamCity(cleanups, fault);
      await waitFor('readings flowing', async () => (await fault.accepted()) > 300);
      const connectsBefore = connects();

      disk.fail();
      expect(disk.isReadOnly()).toBe(true);
      // Two outcomes, by where the error meets the journal: a commit fails (SQLITE_IOERR or
      // SQLITE_READONLY: refused and retried, 503, the process stays up) or a flush of the log
      // after a commit fails (EROFS: nothing after it can be trusted, the process exits 1). Either
      // way nothing that was not made durable is acknowledged.
      const outcome = await waitFor('readiness 503, or the process exiting', async () => {
        if (fault.process.child.exitCode !== null) return 'exited';
        return (await ready().catch(() => 0)) === 503 ? 'refusing' : undefined;
      });
      if (outcome === 'refusing') {
        const failing = await health();
        expect(failing.status).toBe('failing');
        expect(failing.reasons.join(' ')).toMatch(/journal cannot write: SQLITE_(READONLY|IOERR)/);
        const accepted = failing.counters.readings_accepted ?? 0;
        await waitFor('more failed appends', async () => {
          const now = await health();
          return (
            (now.counters.journal_append_errors ?? 0) > (failing.counters.journal_append_errors ?? 0) + 2
          );
        });
        // Nothing acknowledged, the process stays up reporting, and no gateway was disconnected.
        expect(await fault.accepted()).toBe(accepted);
        expect(connects()).toBe(connectsBefore);
        fault.process.child.kill('SIGTERM');
      }
      expect(await fault.process.exited).toBe(outcome === 'exited' ? 1 : 0);
      // A supervisor's restart cannot help while the disk stays read-only: the cloud does not start.
      await expect(fault.restart()).rejects.toThrow(/cloud exited with 1/);

      // ext4 keeps the file system read-only until it is unmounted and checked: the operator's step
      // (docs/operations.md). Then the cloud starts and the gateways' outboxes replay the rest.
      disk.repair();
      await fault.restart();
      await waitFor('ready after the repair', async () => (await ready()) === 200, 30_000);
      await waitFor('readings flowing again', async () => (await fault.accepted()) > 0);
      await stop();
      await expectEveryReadingStored(await fault.influx(), city.readings());
    },
  );
});
