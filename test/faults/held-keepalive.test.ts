import { describe, expect, it } from 'vitest';
import { cleanupsAfterAll } from '../helpers/cleanups.ts';
import { countPoints } from '../helpers/cloud.ts';
import { startFaultCloud } from '../helpers/fault-cloud.ts';
import { lampGateway } from '../helpers/lamp-batches.ts';
import { injectSyscallError, straceAvailable } from '../helpers/strace.ts';
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
      const { fleet, gateway, topic, batch, connect } = lampGateway({
        seed: 30,
        devices: 2,
        lamps: 10,
        prefix: 'held',
      });
      const fault = await startFaultCloud(cleanups, {
        fleet,
        database: 'held',
        gateways: [gateway],
        extra: { LOG_LEVEL: 'silent' },
      });
      const client = await connect(fault.mqttUrl, fault.secrets.get(gateway), { keepalive: keepaliveS });
      cleanups.push(() => client.endAsync(true));
      let closed = false;
      client.on('close', () => {
        closed = true;
      });
      let pings = 0;
      client.on('packetsend', (packet) => {
        if (packet.cmd === 'pingreq') pings++;
      });
      await client.publishAsync(topic, batch(1), { qos: 1 });

      // Every write of the journal fails: the next batch is held (no PUBACK) while the fault lasts.
      const injected = await injectSyscallError({
        pid: fault.process.child.pid as number,
        path: fault.journalLog,
        syscall: 'pwrite64',
        error: 'EIO',
      });
      cleanups.push(() => injected.stop());
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

      await injected.stop();
      await second;
      await third;
      expect(closed).toBe(false);
      const influx = await fault.influx();
      await waitFor(
        'batches 1-3 in InfluxDB',
        async () => (await countPoints(influx, 'streetlight', 'activePower')) === 30,
      );
    },
  );
});
