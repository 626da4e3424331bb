import { describe, expect, it } from 'vitest';
import { generateFleet } from '../../simulators/fleet.ts';
import { cleanupsAfterAll } from '../helpers/cleanups.ts';
import { startFaultCloud, streamCity } from '../helpers/fault-cloud.ts';
import { expectEveryReadingStored } from '../helpers/recording.ts';
import { injectSyscallError, straceAvailable } from '../helpers/strace.ts';
import { waitFor } from '../helpers/wait.ts';

const cleanups = cleanupsAfterAll();

describe('writes to the journal fail with EIO (injected into pwrite64 by strace, from outside)', () => {
  it.skipIf(!straceAvailable)(
    'refuses without PUBACK, reports 503 and a metric, keeps gateways connected, resumes once writes work',
    { timeout: 120_000 },
    async () => {
      const fleet = generateFleet({ seed: 26, devices: 40, devicesPerGateway: 20 });
      const fault = await startFaultCloud(cleanups, { fleet, database: 'writefails' });
      const { health, ready } = fault;
      const { city, connects, stop } = await streamCity(cleanups, fault);
      await waitFor('readings flowing', async () => (await fault.accepted()) > 300);
      const connectsBefore = connects();

      // Every write to the journal's log fails with EIO until strace detaches.
      const injected = await injectSyscallError({
        pid: fault.process.child.pid as number,
        path: fault.journalLog,
        syscall: 'pwrite64',
        error: 'EIO',
      });
      cleanups.push(() => injected.stop());
      await waitFor('readiness 503: the journal cannot write', async () => (await ready()) === 503);
      const failing = await health();
      expect(failing.status).toBe('failing');
      expect(failing.reasons.join(' ')).toMatch(/journal cannot write: SQLITE_IOERR/);
      // The counter behind the metric city_journal_append_errors_total.
      expect(failing.counters.journal_append_errors).toBeGreaterThan(0);
      // Nothing acknowledged while writes fail: the accepted count stands still over further attempts.
      const accepted = failing.counters.readings_accepted ?? 0;
      await waitFor('more failed appends', async () => {
        const now = await health();
        return (now.counters.journal_append_errors ?? 0) > (failing.counters.journal_append_errors ?? 0) + 2;
      });
      expect(await fault.accepted()).toBe(accepted);

      // The disk works again: ready by itself, same process, no gateway reconnected, all stored.
      await injected.stop();
      await waitFor('ready again', async () => (await ready()) === 200, 30_000);
      await stop();
      await waitFor('the journal drained', async () => (await health()).journal.lines === 0, 60_000);
      expect(fault.process.child.exitCode).toBeNull();
      expect((await health()).status).toBe('ok');
      expect(connects()).toBe(connectsBefore);
      await expectEveryReadingStored(await fault.influx(), city.readings());
    },
  );
});
