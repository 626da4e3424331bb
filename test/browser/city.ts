import { connectAsync, type MqttClient } from 'mqtt';
import type { FleetFile } from '../../shared/fleet.ts';
import { commandMessage } from '../../shared/messages.ts';
import { gatewayTopic } from '../../shared/topics.ts';
import { type FixtureKind, readingWith, validHeartbeat } from '../unit/fixtures.ts';

/**
 * The gateways of a test city, connected to a test cloud over MQTT: they send heartbeats and
 * readings as real gateways do, so the console shows devices online, states and alerts. They answer
 * commands as a device would: a lamp's switch or dimming changes its reading (sent at once and kept
 * in later reports), then the command's result says succeeded; other commands just succeed.
 */
export interface TestGateways {
  /** One reading per device (the kind's valid fixture values), `faults` merged into those named. */
  report(faults?: Record<string, Record<string, unknown>>): Promise<void>;
  /** One reading of one device. */
  send(deviceId: string, metrics: Record<string, unknown>): Promise<void>;
  close(): Promise<void>;
}

export async function connectGateways(
  fleet: FleetFile,
  mqttUrl: string,
  provision: (gatewayId: string) => Promise<string>,
): Promise<TestGateways> {
  const clients = new Map<string, MqttClient>();
  for (const g of fleet.gateways) {
    clients.set(
      g.id,
      await connectAsync(mqttUrl, {
        clientId: g.id,
        username: g.id,
        password: await provision(g.id),
        reconnectPeriod: 0,
      }),
    );
  }
  /** What commands changed, per device: merged into every later reading of it. */
  const commanded = new Map<string, Record<string, unknown>>();
  let batch = 0;
  const publish = async (gatewayId: string, readings: unknown[]) => {
    const sentAt = new Date().toISOString();
    const client = clients.get(gatewayId);
    if (!client) throw new Error(`gateway ${gatewayId} is not connected`);
    await client.publishAsync(
      gatewayTopic(gatewayId, 'heartbeat'),
      JSON.stringify({ ...validHeartbeat, gatewayId, sentAt, deviceCount: readings.length }),
      { qos: 1 },
    );
    await client.publishAsync(
      gatewayTopic(gatewayId, 'telemetry'),
      JSON.stringify({ v: 1, gatewayId, sentAt, batchId: `b${process.pid}-${batch++}`, readings }),
      { qos: 1 },
    );
  };
  const reading = (deviceId: string, metrics: Record<string, unknown>) => {
    const device = fleet.devices.find((d) => d.id === deviceId);
    if (!device) throw new Error(`no device ${deviceId} in the fleet`);
    return {
      device,
      reading: {
        ...readingWith(device.kind as FixtureKind, { ...commanded.get(deviceId), ...metrics }),
        deviceId,
        ts: new Date().toISOString(),
      },
    };
  };
  const answer = async (gatewayId: string, payload: Buffer) => {
    const parsed = commandMessage.safeParse(JSON.parse(payload.toString()));
    if (!parsed.success) return;
    const { commandId, target } = parsed.data;
    const change = effectOf(target.command as { action: string; [k: string]: unknown });
    if (change) {
      commanded.set(target.deviceId, { ...commanded.get(target.deviceId), ...change });
      await publish(gatewayId, [reading(target.deviceId, {}).reading]);
    }
    await clients
      .get(gatewayId)
      ?.publishAsync(
        gatewayTopic(gatewayId, 'command-results'),
        JSON.stringify({ v: 1, gatewayId, commandId, ts: new Date().toISOString(), status: 'succeeded' }),
        { qos: 1 },
      );
  };
  for (const [gatewayId, client] of clients) {
    client.on('message', (_topic, payload) => {
      answer(gatewayId, payload).catch((error: Error) =>
        console.error(`[gateway ${gatewayId}] ${error.message}`),
      );
    });
    await client.subscribeAsync(gatewayTopic(gatewayId, 'commands'), { qos: 1 });
  }
  return {
    async report(faults = {}) {
      for (const g of fleet.gateways) {
        const readings = fleet.devices
          .filter((d) => d.gatewayId === g.id)
          .map((d) => reading(d.id, faults[d.id] ?? {}).reading);
        await publish(g.id, readings);
      }
    },
    async send(deviceId, metrics) {
      const { device, reading: r } = reading(deviceId, metrics);
      await publish(device.gatewayId, [r]);
    },
    async close() {
      for (const client of clients.values()) await client.endAsync(true);
    },
  };
}

/** A lamp command's effect on the lamp's reading; undefined for commands that change no metric. */
function effectOf(command: { action: string; [k: string]: unknown }): Record<string, unknown> | undefined {
  if (command.action === 'setDimming') {
    const level = Number(command.level);
    return { dimmingLevel: level, powerState: level === 0 ? 'off' : level < 100 ? 'low' : 'on' };
  }
  if (command.action === 'switch') return { powerState: command.on ? 'on' : 'off' };
  return undefined;
}
