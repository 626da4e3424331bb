import { once } from 'node:events';
import type { AddressInfo } from 'node:net';
import { createServer, type Server } from 'node:net';
import { join } from 'node:path';
import { Aedes } from 'aedes';
import type { MqttClient } from 'mqtt';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { EdgeAgent } from '../../edge/agent.ts';
import { gatewayOutbox } from '../../edge/compose.ts';
import { agentConfig } from '../../edge/config.ts';
import { gatewayTopic } from '../../shared/topics.ts';
import { simulatedDrivers } from '../../simulators/driver/simulated-driver.ts';
import { generateFleet } from '../../simulators/fleet.ts';
import { createRandom } from '../../simulators/random.ts';
import { silentLog } from '../helpers/cloud.ts';
import { tempDir } from '../helpers/temp-dir.ts';
import { waitFor } from '../helpers/wait.ts';

/**
 * A broker that lets the gateway in (CONNACK) but cannot take what it sends (its storage is full:
 * the publish is refused, which closes the connection) must not be hammered by reconnects: the
 * agent's backoff grows across such connections and starts again only once a publish was
 * acknowledged (PUBACK), not on every CONNACK.
 */
const fleet = generateFleet({ seed: 91, devices: 2, devicesPerGateway: 2 });
const gateway = fleet.gateways[0]?.id as string;
let refusing = true;
let broker: Aedes;
let server: Server;
let dir: Awaited<ReturnType<typeof tempDir>>;
let agent: EdgeAgent;

beforeAll(async () => {
  broker = await Aedes.createBroker({
    authorizePublish: (_client, packet, callback) =>
      callback(
        refusing && packet.topic === gatewayTopic(gateway, 'telemetry') ? new Error('storage is full') : null,
      ),
  });
  server = createServer(broker.handle);
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  dir = await tempDir('edge-backoff');
});

afterAll(async () => {
  await agent?.stop();
  server?.close();
  await new Promise<void>((resolve) => broker?.close(() => resolve()));
  await dir?.remove();
});

describe('the edge agent against a broker that lets it in but refuses its readings', () => {
  it('waits longer after each such connection, and starts its backoff again after a PUBACK', async () => {
    const config = agentConfig.parse({
      gatewayId: gateway,
      mqtt: { url: `mqtt://127.0.0.1:${(server.address() as AddressInfo).port}`, password: 'secret' },
      dataDir: join(dir.path, 'data'),
      backoff: { initialMs: 20, maxMs: 320 },
    });
    const random = createRandom(7);
    agent = new EdgeAgent({
      config,
      drivers: simulatedDrivers(
        fleet.devices.filter((d) => d.gatewayId === gateway),
        fleet.city,
        random.fork(gateway),
      ),
      outbox: gatewayOutbox(config),
      log: silentLog,
      now: () => new Date(),
      // No jitter: each delay is the ceiling of its attempt, so the sequence can be read exactly.
      random: () => 1,
    });
    await agent.start({ poll: false });
    await agent.pollOnce();
    // The delay the agent chose for each reconnect (it sets it before mqtt.js schedules one).
    const client = (agent as unknown as { client: MqttClient }).client;
    const delays: number[] = [];
    client.on('close', () => delays.push(client.options.reconnectPeriod as number));
    await waitFor('five refused connections', () => delays.length >= 5);
    // Each connection was accepted (CONNACK) and its status acknowledged, yet the backoff kept
    // growing to its ceiling: only a batch taken by the broker starts it again.
    expect(delays.slice(0, 5)).toEqual([20, 40, 80, 160, 320]);

    // Storage is back: the readings are acknowledged, and the next drop waits the shortest delay.
    refusing = false;
    await agent.drained();
    const before = delays.length;
    client.stream.destroy();
    await waitFor('the next reconnect delay', () => delays.length > before);
    expect(delays[before]).toBe(20);
  });
});
