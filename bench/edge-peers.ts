import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { connectAsync } from 'mqtt';
import { loadRegisterMap } from '../edge/drivers/modbus-tcp/factory.ts';
import { builtInDrivers } from '../edge/main.ts';
import type { DriverEntry } from '../shared/driver-entry.ts';
import type { FleetDevice } from '../shared/fleet.ts';
import { type DeviceKind, deviceKind, kinds } from '../shared/kinds/index.ts';
import { chirpstackApplication } from '../test/helpers/chirpstack.ts';
import { startCabinetMeter, startWallbox } from '../test/helpers/modbus-peers.ts';
import { startMosquitto } from '../test/helpers/mosquitto.ts';
import { onCleanup } from './cleanup.ts';

/**
 * The edge agent's real drivers in use (issue 18: "all drivers loaded"), each against the peer its
 * tests use: Modbus TCP servers playing a cabinet's Eastron meter and an ABB wallbox (every
 * `modbus-tcp` device connects to one of them), and one Mosquitto on which cameras publish their
 * AXIS Object Analytics events and ChirpStack's MQTT integration publishes LoRaWAN uplinks (a
 * camera every 5 s, a LoRaWAN device every 10 s). Of the gateway's devices, shares of each kind go
 * to the real drivers; the simulated driver reads the rest.
 */
export interface EdgePeers {
  /** The agent's `drivers`, the simulated entry first. */
  drivers: DriverEntry[];
  /** Devices per driver type. */
  devices: Record<string, number>;
  stop(): Promise<void>;
}

const APPLICATION = '17c82e96-be03-4f38-aef3-f83d48582d97';
const user = { name: 'site', password: 'bench-site-secret' };

/** The first `share` of the `kind` devices not taken yet (at least one when there is one), taken. */
function take(devices: FleetDevice[], taken: Set<string>, kind: string, share: number): FleetDevice[] {
  const free = devices.filter((d) => d.kind === kind && !taken.has(d.id));
  const picked = free.slice(0, Math.max(1, Math.round(share * devices.length)));
  for (const d of picked) taken.add(d.id);
  return picked;
}

/** The kind whose readings carry `metric` (the one a driver's devices must be). */
function kindWith(metric: string): DeviceKind {
  const kind = deviceKind.options.find((k) => metric in kinds[k].metrics.shape);
  if (!kind) throw new Error(`no kind has the metric ${metric}`);
  return kind;
}

const serialOf = (i: number) => `B8A44F${i.toString(16).toUpperCase().padStart(6, '0')}`;
const euiOf = (prefix: string, i: number) => `${prefix}${i.toString(16).padStart(8, '0')}`;

/** The driver types given a peer here: every built-in one, or the bench refuses to run. */
const peered = ['modbus-tcp', 'camera-analytics', 'chirpstack'];

export async function startEdgePeers(dir: string, devices: FleetDevice[]): Promise<EdgePeers> {
  const missing = Object.keys(builtInDrivers).filter((type) => !peered.includes(type));
  if (missing.length > 0)
    throw new Error(`bench/edge-peers.ts has no peer for the drivers ${missing.join(', ')}`);
  await mkdir(dir, { recursive: true });
  const taken = new Set<string>();
  const meterKind = loadRegisterMap({ model: 'eastron-sdm630' }).kind;
  const meters = take(devices, taken, meterKind, 0.1);
  const wallboxes = take(devices, taken, loadRegisterMap({ model: 'abb-terra-ac' }).kind, 0.02);
  const cameras = take(devices, taken, kindWith('peopleCount'), 0.05);
  const bins = take(devices, taken, kindWith('fillingLevel'), 0.1);
  // The UL2030 lamp controller reads the kind the cabinet's meter reads.
  const lamps = take(devices, taken, meterKind, 0.05);
  const simulated = devices.filter((d) => !taken.has(d.id)).map((d) => d.id);

  const stops: (() => Promise<unknown>)[] = [];
  const stop = onCleanup('edge peers', async () => {
    for (const s of stops.reverse()) await s();
  });
  const cabinet = await startCabinetMeter();
  stops.push(() => cabinet.stop());
  const wallbox = await startWallbox();
  stops.push(() => wallbox.stop());
  const broker = await startMosquitto(dir, user);
  stops.push(() => broker.stop());
  const passwordFile = join(dir, 'broker.secret');
  await writeFile(passwordFile, user.password);
  const deviceTable = join(dir, 'lorawan-devices.json');
  await writeFile(
    deviceTable,
    JSON.stringify({
      models: {
        'em310-udl': {
          kind: kindWith('fillingLevel'),
          codec: 'milesight-em310-udl',
          variables: { emptyDistanceMm: '1600', fullDistanceMm: '400' },
        },
        ul2030: { kind: meterKind, codec: 'nas-ul20xx', confirmed: true },
      },
      devices: [
        ...bins.map((d, i) => ({ devEui: euiOf('24e12412', i), deviceId: d.id, model: 'em310-udl' })),
        ...lamps.map((d, i) => ({ devEui: euiOf('70b3d5e7', i), deviceId: d.id, model: 'ul2030' })),
      ],
    }),
  );

  const publisher = await connectAsync(broker.url, { clientId: 'bench-peers', ...credentials() });
  stops.push(() => publisher.endAsync());
  const lora = chirpstackApplication(broker.url, user, APPLICATION);
  const uplink = (eui: string, fPort: number, hex: string) =>
    publisher.publishAsync(
      `application/${APPLICATION}/device/${eui}/event/up`,
      JSON.stringify(lora.uplink(eui, fPort, hex)),
      { qos: 1 },
    );
  let tick = 0;
  const timer = setInterval(() => {
    tick++;
    // Every second: a fifth of the cameras, a tenth of the LoRaWAN devices.
    cameras.forEach((_, i) => {
      if (i % 5 === tick % 5) void publisher.publishAsync(...crossline(serialOf(i), tick)).catch(() => {});
    });
    bins.forEach((_, i) => {
      if (i % 10 === tick % 10)
        void uplink(euiOf('24e12412', i), 85, '017561 03822003 040000').catch(() => {});
    });
    lamps.forEach((_, i) => {
      if (i % 10 === tick % 10) void uplink(euiOf('70b3d5e7', i), 25, 'ff03 40e20100 3d00').catch(() => {});
    });
  }, 1_000);
  stops.push(async () => clearInterval(timer));

  const drivers: DriverEntry[] = [
    { type: 'simulated', devices: simulated },
    {
      type: 'modbus-tcp',
      timeoutMs: 1_000,
      devices: [
        ...meters.map((d) => ({
          deviceId: d.id,
          host: '127.0.0.1',
          port: cabinet.port,
          model: 'eastron-sdm630',
        })),
        ...wallboxes.map((d) => ({
          deviceId: d.id,
          host: '127.0.0.1',
          port: wallbox.port,
          model: 'abb-terra-ac',
        })),
      ],
    },
    {
      type: 'camera-analytics',
      broker: { url: broker.url, username: user.name, passwordFile },
      cameras: cameras.map((d, i) => ({
        deviceId: d.id,
        serial: serialOf(i),
        scenarios: [{ scenario: 'Device1Scenario1', type: 'crossline' }],
      })),
    },
    {
      type: 'chirpstack',
      mqtt: { url: broker.url, username: user.name, passwordFile },
      applicationId: APPLICATION,
      deviceTable,
    },
  ];
  return {
    drivers,
    devices: {
      simulated: simulated.length,
      'modbus-tcp': meters.length + wallboxes.length,
      'camera-analytics': cameras.length,
      chirpstack: bins.length + lamps.length,
    },
    stop,
  };
}

const credentials = () => ({ username: user.name, password: user.password });

/** An AXIS Object Analytics crossline event of camera `serial`, `total` crossings so far. */
function crossline(serial: string, total: number): [string, string, { qos: 1 }] {
  const scenario = 'CameraApplicationPlatform/ObjectAnalytics/Device1Scenario1';
  const body = {
    topic: `axis:${scenario}`,
    timestamp: Date.now(),
    serial,
    message: {
      source: {},
      key: {},
      data: { reason: 'human', total: String(total), totalHuman: String(total) },
    },
  };
  return [`axis/${serial}/event/tns:axis/${scenario}`, JSON.stringify(body), { qos: 1 }];
}
