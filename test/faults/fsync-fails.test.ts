import type { MqttClient } from 'mqtt';
import { describe, expect, it } from 'vitest';
import { cleanupsAfterAll } from '../helpers/cleanups.ts';
import { countPoints } from '../helpers/cloud.ts';
import { startFaultCloud } from '../helpers/fault-cloud.ts';
import { lampGateway } from '../helpers/lamp-batches.ts';
import { injectSyscallError, straceAvailable } from '../helpers/strace.ts';
import { waitFor } from '../helpers/wait.ts';

const cleanups = cleanupsAfterAll();

describe('flushing the journal fails (EIO injected into fdatasync by strace, from outside)', () => {
  it.skipIf(!straceAvailable)(
    'acknowledges nothing the failed flush covered, exits 1, and stores it after a restart',
    {
      timeout: 90_000,
    },
    async () => {
      const { fleet, gateway, topic, batch, connect } = lampGateway({
        seed: 25,
        devices: 10,
        lamps: 20,
        prefix: 'fs',
      });
      const fault = await startFaultCloud(cleanups, {
        fleet,
        database: 'fsync',
        gateways: [gateway],
        extra: { LOG_LEVEL: 'silent' },
      });
      const gatewayClient = () => connect(fault.mqttUrl, fault.secrets.get(gateway));
      let client: MqttClient = await gatewayClient();
      cleanups.push(() => client.endAsync(true));
      await client.publishAsync(topic, batch(1), { qos: 1 });

      // The next flush of the journal's log fails (EIO), from outside the process.
      const { tracer } = await injectSyscallError({
        pid: fault.process.child.pid as number,
        path: fault.journalLog,
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
      expect(await fault.process.exited).toBe(1);
      expect(sentId).toBeDefined();
      expect(acked).not.toContain(sentId);
      expect(acked).toEqual([]);
      await client.endAsync(true);

      // Restarted (without strace): the gateway sends batch 2 again, and both batches are stored once.
      await fault.restart();
      client = await gatewayClient();
      await client.publishAsync(topic, batch(2), { qos: 1 });
      await client.publishAsync(topic, batch(3), { qos: 1 });
      const influx = await fault.influx();
      await waitFor(
        'batches 1-3 in InfluxDB',
        async () => (await countPoints(influx, 'streetlight', 'activePower')) === 60,
      );
    },
  );
});
