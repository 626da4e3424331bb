import { join } from 'node:path';
import { connectAsync, type MqttClient } from 'mqtt';
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

describe('flushing the journal fails (EIO injected into fdatasync by strace, from outside)', () => {
  it.skipIf(!straceAvailable)(
    'acknowledges nothing the failed flush covered, exits 1, and stores it after a restart',
    {
      timeout: 90_000,
    },
    async () => {
      const influxd = await startTestInfluxd();
      cleanups.push(() => influxd.stop());
      const dir = await tempDir('fsync');
      cleanups.push(() => dir.remove());
      const generated = generateFleet({ seed: 25, devices: 10, devicesPerGateway: 10 });
      const gateway = generated.gateways[0]?.id as string;
      const lamps = Array.from({ length: 20 }, (_, i) => `lamp-fs-${i}`);
      const fleet = withDevices(
        generated,
        lamps.map((id) => ({ id, kind: 'streetlight', gatewayId: gateway })),
      );
      const { env, secrets } = await cloudProcessEnv({
        dir: dir.path,
        fleet,
        influxUrl: influxd.url,
        database: 'fsync',
        gateways: [gateway],
        extra: { LOG_LEVEL: 'silent' },
      });
      const secret = secrets.get(gateway) as string;
      let cloud: CloudProcess = await startCloudProcess(env);
      cleanups.push(async () => cloud.child.kill('SIGKILL'));
      const connect = () =>
        connectAsync(`mqtt://127.0.0.1:${env.MQTT_PORT}`, {
          clientId: gateway,
          username: gateway,
          password: secret,
          reconnectPeriod: 0,
        });
      const batch = (n: number) =>
        JSON.stringify({
          v: 1,
          gatewayId: gateway,
          sentAt: new Date().toISOString(),
          batchId: `fs${n}`,
          readings: lamps.map((deviceId, i) => ({
            deviceId,
            kind: 'streetlight',
            ts: new Date(Date.now() - 60_000 + n * 1_000).toISOString(),
            metrics: { activePower: n + i / 100 },
          })),
        });
      const topic = gatewayTopic(gateway, 'telemetry');
      let client: MqttClient = await connect();
      cleanups.push(() => client.endAsync(true));
      await client.publishAsync(topic, batch(1), { qos: 1 });

      // The next flush of the journal's log fails (EIO), from outside the process.
      const { tracer } = await injectSyscallError({
        pid: cloud.child.pid as number,
        path: join(env.DATA_DIR, 'tenants', 'default', 'journal.db-wal'),
        syscall: 'fdatasync',
        error: 'EIO',
        when: '1',
      });
      cleanups.push(async () => tracer.kill('SIGKILL'));
      const acked: number[] = [];
      client.on('packetreceive', (packet) => {
        if (packet.cmd === 'puback' && packet.messageId !== undefined) acked.push(packet.messageId);
      });
      let sentId: number | undefined;
      client.once('packetsend', (packet) => {
        if (packet.cmd === 'publish') sentId = packet.messageId;
      });
      client.publish(topic, batch(2), { qos: 1 }, () => undefined);
      // The flush of batch 2 failed: the process exits for a restart, and batch 2 was never acknowledged.
      expect(await cloud.exited).toBe(1);
      expect(sentId).toBeDefined();
      expect(acked).not.toContain(sentId);
      expect(acked).toEqual([]);
      await client.endAsync(true);

      // Restarted (without strace): the gateway sends batch 2 again, and both batches are stored once.
      cloud = await startCloudProcess(env);
      client = await connect();
      await client.publishAsync(topic, batch(2), { qos: 1 });
      await client.publishAsync(topic, batch(3), { qos: 1 });
      const influx = await connectInflux({ url: influxd.url, token: '', database: 'fsync', org: '' });
      await waitFor(
        'batches 1-3 in InfluxDB',
        async () => (await countPoints(influx, 'streetlight', 'activePower')) === 60,
      );
    },
  );
});
