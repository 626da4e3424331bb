import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { connectInflux } from '../../cloud/storage/influx.ts';
import { type CloudProcess, startCloudProcess } from '../../scripts/cloud-process.ts';
import { streamingCity } from '../../scripts/streaming-city.ts';
import { generateFleet } from '../../simulators/fleet.ts';
import { cleanupsAfterAll } from '../helpers/cleanups.ts';
import { getJson, silentLog } from '../helpers/cloud.ts';
import { cloudProcessEnv } from '../helpers/cloud-process-env.ts';
import { startTestInfluxd } from '../helpers/influxd.ts';
import { expectEveryReadingStored } from '../helpers/recording.ts';
import { injectSyscallError, straceAvailable } from '../helpers/strace.ts';
import { tempDir } from '../helpers/temp-dir.ts';
import { waitFor } from '../helpers/wait.ts';

const cleanups = cleanupsAfterAll();

interface Health {
  status: string;
  reasons: string[];
  journal: { lines: number };
  counters: Record<string, number>;
}

describe('writes to the journal fail with EIO (injected into pwrite64 by strace, from outside)', () => {
  it.skipIf(!straceAvailable)(
    'refuses without PUBACK, reports 503 and a metric, keeps gateways connected, resumes once writes work',
    { timeout: 120_000 },
    async () => {
      const influxd = await startTestInfluxd();
      cleanups.push(() => influxd.stop());
      const dir = await tempDir('write-fails');
      cleanups.push(() => dir.remove());
      const fleet = generateFleet({ seed: 26, devices: 40, devicesPerGateway: 20 });
      const { env, secrets } = await cloudProcessEnv({
        dir: dir.path,
        fleet,
        influxUrl: influxd.url,
        database: 'writefails',
      });
      const cloud: CloudProcess = await startCloudProcess(env);
      cleanups.push(async () => cloud.child.kill('SIGKILL'));
      const health = async () => (await getJson<Health>(`${cloud.apiUrl}/health`)).body;
      const ready = async () => (await fetch(`${cloud.apiUrl}/health/ready`)).status;

      const city = await streamingCity({
        log: silentLog,
        fleet,
        mqttUrl: `mqtt://127.0.0.1:${env.MQTT_PORT}`,
        dataDir: join(dir.path, 'edge'),
        secrets,
      });
      cleanups.push(() => city.stop());
      const stopStream = city.stream();
      const connects = () => [...city.agents.values()].reduce((n, a) => n + a.stats.connects, 0);
      await waitFor('readings flowing', async () => ((await health()).counters.readings_accepted ?? 0) > 300);
      const connectsBefore = connects();

      // Every write to the journal's log fails with EIO until strace detaches.
      const fault = await injectSyscallError({
        pid: cloud.child.pid as number,
        path: join(env.DATA_DIR, 'tenants', 'default', 'journal.db-wal'),
        syscall: 'pwrite64',
        error: 'EIO',
      });
      cleanups.push(() => fault.stop());
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
      expect((await health()).counters.readings_accepted ?? 0).toBe(accepted);

      // The disk works again: ready by itself, same process, no gateway reconnected, all stored.
      await fault.stop();
      await waitFor('ready again', async () => (await ready()) === 200, 30_000);
      await stopStream();
      await city.drained();
      await waitFor('the journal drained', async () => (await health()).journal.lines === 0, 60_000);
      expect(cloud.child.exitCode).toBeNull();
      expect((await health()).status).toBe('ok');
      expect(connects()).toBe(connectsBefore);
      const influx = await connectInflux({ url: influxd.url, token: '', database: 'writefails', org: '' });
      await expectEveryReadingStored(influx, city.readings());
    },
  );
});
