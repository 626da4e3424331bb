import { once } from 'node:events';
import type { AddressInfo } from 'node:net';
import { createServer, type Server } from 'node:net';
import { join } from 'node:path';
import { Aedes } from 'aedes';
import { connectAsync, type MqttClient } from 'mqtt';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { z } from 'zod';
import type { EdgeAgent } from '../../edge/agent.ts';
import { composeAgent } from '../../edge/compose.ts';
import { edgeConfig } from '../../edge/config.ts';
import { DriverRegistry } from '../../edge/drivers/registry.ts';
import type { DeviceDriver, DriverFactory } from '../../shared/driver.ts';
import type { Reading } from '../../shared/kinds/index.ts';
import {
  type ConfigStatus,
  configStatus,
  type GatewayHeartbeat,
  gatewayHeartbeat,
  telemetryBatch,
} from '../../shared/messages.ts';
import { gatewayTopic } from '../../shared/topics.ts';
import { generateFleet } from '../../simulators/fleet.ts';
import { silentLog } from '../helpers/cloud.ts';
import { tempDir } from '../helpers/temp-dir.ts';
import { waitFor } from '../helpers/wait.ts';

/**
 * A gateway's drivers against a real aedes broker: one driver that throws and one that hangs never
 * stop the readings of the others or the agent, the heartbeat says which is failing, and a remote
 * configuration replaces the drivers without a restart, leaving the unchanged entry running.
 */
const fleet = generateFleet({ seed: 17, devices: 1, devicesPerGateway: 1 });
const gateway = fleet.gateways[0]?.id as string;
const lamp = fleet.devices[0] as { id: string; kind: 'streetlight' };

/** Every driver built, by its settings, and whether it was closed. */
const built: { type: string; level?: number; closed: boolean }[] = [];

function fakeDriver(type: string, poll: DeviceDriver['poll'], level?: number): DeviceDriver {
  const record = { type, level, closed: false };
  built.push(record);
  return {
    kind: 'streetlight',
    deviceCount: 1,
    has: () => false,
    poll,
    execute: async () => ({ status: 'succeeded' }),
    health: () => ({ driver: type, state: 'ok', errors: 0 }),
    close: async () => {
      record.closed = true;
    },
  };
}

const factories: Record<string, DriverFactory> = {
  steady: {
    settings: z.object({ level: z.number() }).strict(),
    create: (settings) => {
      const { level } = settings as { level: number };
      const reading = (now: Date): Reading => ({
        deviceId: lamp.id,
        kind: 'streetlight',
        ts: now.toISOString(),
        metrics: { dimmingLevel: level },
      });
      return {
        drivers: [fakeDriver('steady', async (now) => ({ readings: [reading(now)], events: [] }), level)],
      };
    },
  } as DriverFactory,
  throwing: {
    settings: z.object({}).strict(),
    create: () => ({
      drivers: [
        fakeDriver('throwing', async () => {
          throw new Error('the cabinet caught fire');
        }),
      ],
    }),
  },
  hanging: {
    settings: z.object({}).strict(),
    create: () => ({ drivers: [fakeDriver('hanging', () => new Promise(() => {}))] }),
  },
};

let broker: Aedes;
let server: Server;
let dir: Awaited<ReturnType<typeof tempDir>>;
let agent: EdgeAgent;
let observer: MqttClient;
const levels: number[] = [];
const heartbeats: GatewayHeartbeat[] = [];
const statuses: ConfigStatus[] = [];

beforeAll(async () => {
  broker = await Aedes.createBroker();
  server = createServer(broker.handle);
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  const url = `mqtt://127.0.0.1:${(server.address() as AddressInfo).port}`;
  dir = await tempDir('edge-drivers');
  observer = await connectAsync(url, { clientId: 'observer' });
  observer.on('message', (topic, payload) => {
    const json = JSON.parse(payload.toString());
    if (topic === gatewayTopic(gateway, 'telemetry'))
      for (const r of telemetryBatch.parse(json).readings) levels.push(r.metrics.dimmingLevel as number);
    if (topic === gatewayTopic(gateway, 'heartbeat')) heartbeats.push(gatewayHeartbeat.parse(json));
    if (topic === gatewayTopic(gateway, 'config-status')) statuses.push(configStatus.parse(json));
  });
  await observer.subscribeAsync(
    ['telemetry', 'heartbeat', 'config-status'].map((c) => gatewayTopic(gateway, c as 'telemetry')),
    { qos: 1 },
  );
  const config = edgeConfig.parse({
    gatewayId: gateway,
    mqtt: { url, password: 'unused' },
    dataDir: join(dir.path, 'data'),
    reportingIntervalS: 0.05,
    heartbeatIntervalS: 1,
    driverDeadlineS: 0.2,
    drivers: [{ type: 'steady', level: 10 }, { type: 'throwing' }, { type: 'hanging', name: 'stuck' }],
  });
  agent = composeAgent({
    config,
    devices: fleet.devices,
    city: fleet.city,
    registry: new DriverRegistry(factories),
    log: silentLog,
  });
  await agent.start();
});

afterAll(async () => {
  await agent?.stop();
  await observer?.endAsync();
  server?.close();
  await new Promise<void>((resolve) => broker?.close(() => resolve()));
  await dir?.remove();
});

const lastDrivers = () => heartbeats.at(-1)?.drivers ?? [];

describe('the drivers of a gateway', () => {
  it('keep reading while one throws and one hangs, and the heartbeat says which are failing', async () => {
    await waitFor('readings from the steady driver', () => levels.filter((l) => l === 10).length >= 5);
    await waitFor('a heartbeat with both bad drivers failing', () =>
      lastDrivers().filter((d) => d.state === 'failing').length === 2 ? lastDrivers() : undefined,
    );
    const [steady, throwing, hanging] = lastDrivers();
    expect(steady).toMatchObject({ driver: 'steady', state: 'ok', errors: 0 });
    expect(throwing).toMatchObject({ driver: 'throwing', state: 'failing', lastError: 'pollThrew' });
    expect(throwing?.errors).toBeGreaterThan(0);
    expect(hanging).toMatchObject({ driver: 'hanging', name: 'stuck', state: 'failing' });
    expect(['pollDeadline', 'pollStillRunning']).toContain(hanging?.lastError);
    expect(agent.connected).toBe(true);
  });

  it('are replaced by the remote configuration without a restart, the unchanged one left running', async () => {
    const drivers = [
      { type: 'steady', level: 10 },
      { type: 'steady', name: 'second', level: 20 },
    ];
    const remote = { v: 1, version: 1, reportingIntervalS: 1, drivers };
    await observer.publishAsync(gatewayTopic(gateway, 'config'), JSON.stringify(remote), {
      qos: 1,
      retain: true,
    });
    await waitFor('the configuration applied', () => statuses.find((s) => s.version === 1));
    expect(statuses).toEqual([expect.objectContaining({ version: 1, status: 'applied' })]);
    await waitFor('readings of the new driver', () => levels.includes(20));
    await waitFor('a heartbeat with the two entries', () =>
      lastDrivers().length === 2 && lastDrivers().every((d) => d.state === 'ok') ? true : undefined,
    );
    expect(lastDrivers().map((d) => [d.driver, d.name])).toEqual([
      ['steady', undefined],
      ['steady', 'second'],
    ]);
    expect(built.map((b) => [b.type, b.level, b.closed])).toEqual([
      ['steady', 10, false],
      ['throwing', undefined, true],
      ['hanging', undefined, true],
      ['steady', 20, false],
    ]);
    expect(agent.configVersion).toBe(1);
  });

  it('refuses a remote configuration whose entry no factory takes, and keeps its drivers', async () => {
    const remote = { v: 1, version: 2, reportingIntervalS: 1, drivers: [{ type: 'modbus-tcp' }] };
    await observer.publishAsync(gatewayTopic(gateway, 'config'), JSON.stringify(remote), {
      qos: 1,
      retain: true,
    });
    const status = await waitFor('the refusal', () => statuses.find((s) => s.version === 2));
    expect(status).toMatchObject({ status: 'rejected', invalidFields: ['drivers.0.type'] });
    expect(agent.configVersion).toBe(1);
    expect(built.filter((b) => !b.closed)).toHaveLength(2);
  });
});
