import { join } from 'node:path';
import { connectAsync } from 'mqtt';
import { describe, expect, it } from 'vitest';
import { connectInflux } from '../../cloud/storage/influx.ts';
import { type CloudProcess, startCloudProcess } from '../../scripts/cloud-process.ts';
import { gatewayTopic } from '../../shared/topics.ts';
import { generateFleet } from '../../simulators/fleet.ts';
import { cleanupsAfterAll } from '../helpers/cleanups.ts';
import { countPoints } from '../helpers/cloud.ts';
import { cloudProcessEnv } from '../helpers/cloud-process-env.ts';
import { withDevices } from '../helpers/fleet.ts';
import { startTestInfluxd } from '../helpers/influxd.ts';
import { injectSyscallError, straceAvailable } from '../helpers/strace.ts';
import { tempDir } from '../helpers/temp-dir.ts';
import { waitFor } from '../helpers/wait.ts';

const cleanups = cleanupsAfterAll();

/**
 * The client's keep-alive (s): aedes closes a connection it has read nothing from for 1.5 times this,
 * and mqtt.js one whose PINGREQ had no answer within half of it (2 s here: strace slows the cloud).
 */
const keepaliveS = 4;

describe('a connection held under a storage fault outlives the keep-alive', () => {
  it.skipIf(!straceAvailable)(
    'keeps a gateway whose PUBACK waits for the disk connected, and acknowledges once the disk works',
    { timeout: 90_000 },
    async () => {
      const influxd = await startTestInfluxd();
      cleanups.push(() => influxd.stop());
      const dir = await tempDir('held');
      cleanups.push(() => dir.remove());
      const generated = generateFleet({ seed: 30, devices: 2, devicesPerGateway: 2 });
      const gateway = generated.gateways[0]?.id as string;
      const lamps = Array.from({ length: 10 }, (_, i) => `lamp-held-${i}`);
      const fleet = withDevices(
        generated,
        lamps.map((id) => ({ id, kind: 'streetlight', gatewayId: gateway })),
      );
      const { env, secrets } = await cloudProcessEnv({
        dir: dir.path,
        fleet,
        influxUrl: influxd.url,
        database: 'held',
        gateways: [gateway],
        extra: { LOG_LEVEL: 'silent' },
      });
      const cloud: CloudProcess = await startCloudProcess(env);
      cleanups.push(async () => cloud.child.kill('SIGKILL'));
      const client = await connectAsync(`mqtt://127.0.0.1:${env.MQTT_PORT}`, {
        clientId: gateway,
        username: gateway,
        password: secrets.get(gateway),
        keepalive: keepaliveS,
        reconnectPeriod: 0,
      });
      cleanups.push(() => client.endAsync(true));
      let closed = false;
      client.on('close', () => {
        closed = true;
      });
      let pings = 0;
      client.on('packetsend', (packet) => {
        if (packet.cmd === 'pingreq') pings++;
      });
      const batch = (n: number) =>
        JSON.stringify({
          v: 1,
          gatewayId: gateway,
          sentAt: new Date().toISOString(),
          batchId: `held${n}`,
          readings: lamps.map((deviceId, i) => ({
            deviceId,
            kind: 'streetlight',
            ts: new Date(Date.now() - 60_000 + n * 1_000).toISOString(),
            metrics: { activePower: n + i / 100 },
          })),
        });
      const topic = gatewayTopic(gateway, 'telemetry');
      await client.publishAsync(topic, batch(1), { qos: 1 });

      // Every write of the journal fails: the next batch is held (no PUBACK) while the fault lasts.
      const fault = await injectSyscallError({
        pid: cloud.child.pid as number,
        path: join(env.DATA_DIR, 'tenants', 'default', 'journal.db-wal'),
        syscall: 'pwrite64',
        error: 'EIO',
      });
      cleanups.push(() => fault.stop());
      let acked = false;
      const second = client.publishAsync(topic, batch(2), { qos: 1 }).then(() => {
        acked = true;
      });
      const third = client.publishAsync(topic, batch(3), { qos: 1 });
      // Held for five keep-alive periods (the client pings once per period it hears nothing), over
      // three times aedes's limit of 1.5 periods: as 150 s would be against the edge agent's 30 s.
      await waitFor('five keep-alive periods held', () => pings >= 5 || closed, 60_000);
      expect(closed).toBe(false);
      expect(acked).toBe(false);

      await fault.stop();
      await second;
      await third;
      expect(closed).toBe(false);
      const influx = await connectInflux({ url: influxd.url, token: '', database: 'held', org: '' });
      await waitFor(
        'batches 1-3 in InfluxDB',
        async () => (await countPoints(influx, 'streetlight', 'activePower')) === 30,
      );
    },
  );
});
