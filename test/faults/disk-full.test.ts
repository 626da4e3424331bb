import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { type LocalInfluxd, startLocalInfluxd } from '../../cloud/storage/local-influxd.ts';
import { generateFleet } from '../../simulators/fleet.ts';
import { cleanupsAfterAll } from '../helpers/cleanups.ts';
import { startFaultCloud, streamCity } from '../helpers/fault-cloud.ts';
import { expectEveryReadingStored } from '../helpers/recording.ts';
import { mountSmallDisk } from '../helpers/small-disk.ts';
import { tempDir } from '../helpers/temp-dir.ts';
import { waitFor } from '../helpers/wait.ts';

const cleanups = cleanupsAfterAll();

const dir = await tempDir('disk-full');
cleanups.push(() => dir.remove());
const disk = await mountSmallDisk(join(dir.path, 'cloud'), 24);
if ('unmount' in disk) cleanups.push(async () => disk.unmount());

describe('the cloud data disk fills up and is freed again (a tmpfs filled from outside)', () => {
  it.skipIf('refused' in disk)(
    'refuses without PUBACK, reports 503, keeps every gateway connected, and resumes by itself',
    {
      timeout: 120_000,
    },
    async () => {
      if ('refused' in disk) return;
      let influxd: LocalInfluxd = await startLocalInfluxd(join(dir.path, 'influxdb'));
      cleanups.push(() => influxd.stop());
      const influxPort = Number(new URL(influxd.url).port);
      const fleet = generateFleet({ seed: 24, devices: 40, devicesPerGateway: 20 });
      const fault = await startFaultCloud(cleanups, {
        fleet,
        database: 'diskfull',
        dir: dir.path,
        influxUrl: influxd.url,
      });
      const { health, ready } = fault;
      const { city, connects, stop } = await streamCity(cleanups, fault);
      await waitFor('readings flowing', async () => (await fault.accepted()) > 300);
      const connectsBefore = connects();

      // InfluxDB down: the journal only grows, so a full disk must stop its appends.
      await influxd.stop();
      disk.fill();
      await waitFor('readiness 503: the journal cannot write', async () => (await ready()) === 503);
      const failing = await health();
      expect(failing.status).toBe('failing');
      expect(failing.reasons.join(' ')).toMatch(/journal cannot write: SQLITE_FULL/);
      expect(failing.counters.journal_append_errors).toBeGreaterThan(0);
      // Nothing acknowledged while the disk refuses: the accepted count stands still (give it a few attempts).
      const accepted = failing.counters.readings_accepted ?? 0;
      await waitFor('more failed appends', async () => {
        const now = await health();
        return (now.counters.journal_append_errors ?? 0) > (failing.counters.journal_append_errors ?? 0) + 2;
      });
      expect(await fault.accepted()).toBe(accepted);

      // InfluxDB back while the disk is still full: written lines cannot be deleted; nothing dies.
      influxd = await startLocalInfluxd(join(dir.path, 'influxdb'), { httpPort: influxPort });
      await waitFor('InfluxDB writes while the disk is full', async () => {
        const now = await health();
        return (now.counters.influx_points_written ?? 0) > 0 || (now.counters.journal_remove_errors ?? 0) > 0;
      });

      disk.free();
      await waitFor('ready again', async () => (await ready()) === 200, 30_000);
      await stop();
      await waitFor('the journal drained', async () => (await health()).journal.lines === 0, 60_000);
      expect(fault.process.child.exitCode).toBeNull();
      expect((await health()).status).toBe('ok');
      // The refusals cost no connection: every gateway stayed connected through the fault.
      expect(connects()).toBe(connectsBefore);
      await expectEveryReadingStored(await fault.influx(), city.readings());
    },
  );
});
