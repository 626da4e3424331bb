import type { MqttClient } from 'mqtt';
import type { Logger } from 'pino';
import type { CommandExecution } from '../../../shared/driver.ts';
import type { DriverHealth } from '../../../shared/driver-health.ts';
import { describeIssues } from '../../../shared/issues.ts';
import type { DeviceCommand, DeviceEvent, DeviceKind, Reading } from '../../../shared/kinds/index.ts';
import { parseStrictJson } from '../../../shared/strict-json.ts';
import { connectMqtt } from '../../mqtt-connect.ts';
import {
  type DownlinkCommand,
  downlinkCommand,
  downlinkTopic,
  eventTopic,
  eventTypes,
  isEventType,
  parseEvent,
  parseEventTopic,
} from './chirpstack-events.ts';
import { type Codec, encodeResult } from './codec.ts';
import type { LoRaDevice } from './device-table.ts';
import { HealthCounter, healthOf, type Link } from './health.ts';
import { RecentIds } from './recent-ids.ts';
import { CodecSandboxError } from './sandbox/failure.ts';
import type { ChirpstackSettings } from './settings.ts';
import { readStatus, readUplink, type Telemetry } from './uplinks.ts';

export interface ConnectionOptions {
  settings: ChirpstackSettings;
  gatewayId: string;
  /** The entry's name, when it has one (in the health, the logs and the default client id). */
  name?: string;
  devices: readonly LoRaDevice[];
  /** The codec of each device model; none for a model whose codec runs in ChirpStack. */
  codecs: ReadonlyMap<string, Codec>;
  log: Logger;
  now?: () => Date;
  /** Ends what the codecs hold (the sandbox process). */
  closeCodecs?: () => Promise<void>;
}

/** How long a downlink may wait for the broker's PUBACK before the command is reported failed. */
const publishTimeoutMs = 10_000;

/**
 * One ChirpStack application's MQTT integration, for one driver entry: subscribes to its devices'
 * uplink, join and status events, turns them into readings and events of our kinds (kept until the
 * kind's driver polls), and publishes our commands as downlinks. Messages are handled one at a time,
 * in the order they came. Nothing here throws into mqtt.js: a bad message is counted in the health,
 * logged with its device and topic (never its payload) and dropped.
 */
export class ChirpstackConnection {
  private readonly options: ConnectionOptions;
  private readonly byEui: ReadonlyMap<string, LoRaDevice>;
  private readonly byId: ReadonlyMap<string, LoRaDevice>;
  private link: Link = 'starting';
  /** What went wrong with no device to blame (a payload that is not an event, an unknown DevEUI). */
  private readonly entry = new HealthCounter();
  private readonly kinds = new Map<DeviceKind, HealthCounter>();
  private readonly recent = new RecentIds(10_000);
  private readonly buffers = new Map<DeviceKind, { readings: Reading[]; events: DeviceEvent[] }>();
  private readonly now: () => Date;
  private client?: MqttClient;
  private queue: Promise<void> = Promise.resolve();
  private closed = false;

  constructor(options: ConnectionOptions) {
    this.options = options;
    this.byEui = new Map(options.devices.map((d) => [d.devEui, d]));
    this.byId = new Map(options.devices.map((d) => [d.deviceId, d]));
    for (const device of options.devices)
      if (!this.kinds.has(device.kind)) this.kinds.set(device.kind, new HealthCounter());
    this.now = options.now ?? (() => new Date());
  }

  /** Connects (once); mqtt.js reconnects by itself after that. */
  start(): void {
    if (this.client || this.closed) return;
    const { settings, gatewayId, log, name } = this.options;
    const { mqtt, applicationId } = settings;
    const client = connectMqtt(
      mqtt.url,
      {
        clientId: mqtt.clientId ?? `${gatewayId}-chirpstack${name ? `-${name}` : ''}`,
        username: mqtt.username,
        password: mqtt.password,
        keepalive: mqtt.keepaliveS,
        // A persistent session: the broker keeps QoS 1 events for us while we are away.
        clean: false,
        reconnectPeriod: 1_000,
        connectTimeout: 10_000,
      },
      mqtt.tls,
    );
    this.client = client;
    const context = { driver: 'chirpstack', name, broker: mqtt.url };
    client.on('connect', () => {
      this.link = 'up';
      log.info(context, 'connected to the ChirpStack broker');
      client.subscribe(
        eventTypes.map((event) => eventTopic(applicationId, '+', event)),
        { qos: 1 },
        (error, granted) => {
          // MQTT 3.1.1 refuses a topic with return code 0x80 in the SUBACK, not with an error.
          if (!error && granted?.every((g) => g.qos !== 0x80)) return;
          this.entry.failure(this.now(), 'subscribeRefused');
          log.error({ ...context, err: error }, 'the ChirpStack broker refused the subscription');
        },
      );
    });
    // Logged when the broker is lost, not at each reconnect attempt (one a second) while it stays away.
    const lost = (error?: Error) => {
      if (this.link !== 'down') log.warn({ ...context, err: error }, 'the ChirpStack broker is unreachable');
      this.link = 'down';
    };
    client.on('offline', () => lost());
    client.on('error', (error) => lost(error));
    client.on('close', () => {
      if (!this.closed) this.link = 'down';
    });
    client.on('message', (topic, payload) => {
      this.queue = this.queue
        .then(() => this.handle(topic, payload))
        .catch((error: unknown) => {
          this.entry.failure(this.now(), 'internalError');
          log.error({ ...context, topic, err: error }, 'a ChirpStack message could not be handled');
        });
    });
  }

  /**
   * The health of the driver of `kind`: its devices' errors, and with `entry` those of the entry as a
   * whole (one of the entry's drivers carries them, so that the agent's sum counts each once).
   */
  status(kind: DeviceKind, entry: boolean): DriverHealth {
    const counters = [this.counter(kind), ...(entry ? [this.entry] : [])];
    return healthOf({ driver: 'chirpstack', name: this.options.name }, this.link, counters);
  }

  private counter(kind: DeviceKind): HealthCounter {
    return this.kinds.get(kind) ?? this.entry;
  }

  /** The readings and events of a kind received since the last call. */
  take(kind: DeviceKind): { readings: Reading[]; events: DeviceEvent[] } {
    const buffer = this.buffers.get(kind) ?? { readings: [], events: [] };
    this.buffers.delete(kind);
    return buffer;
  }

  private async handle(topic: string, payload: Buffer): Promise<void> {
    const { settings, log } = this.options;
    const now = this.now();
    const where = parseEventTopic(topic);
    const context = { driver: 'chirpstack', name: this.options.name, topic };
    const failed = (code: string, message: string, device?: LoRaDevice) => {
      (device ? this.counter(device.kind) : this.entry).failure(now, code);
      log.warn({ ...context, deviceId: device?.deviceId, model: device?.model, code }, message.slice(0, 300));
    };
    if (!where || where.applicationId !== settings.applicationId || !isEventType(where.event))
      return failed('unexpectedTopic', 'a message on a topic this driver did not subscribe to');
    const json = parseStrictJson(payload);
    if (!json.ok) return failed('badPayload', json.message);
    const parsed = parseEvent(where.event, json.value);
    if (!parsed.success) return failed('badPayload', describeIssues(parsed.error));
    const { type, event } = parsed.data;
    if (event.deviceInfo.devEui !== where.devEui || event.deviceInfo.applicationId !== where.applicationId)
      return failed('topicMismatch', 'the event names another device or application than its topic');
    if (this.recent.seen(`${type}:${event.deduplicationId}`)) return;
    const device = this.byEui.get(where.devEui);
    if (!device) return failed('unknownDevice', `DevEUI ${where.devEui} is not in the device table`);
    let telemetry: Telemetry;
    if (parsed.data.type === 'up') {
      telemetry = await readUplink(device, this.options.codecs.get(device.model), parsed.data.event, now);
    } else if (parsed.data.type === 'status') {
      telemetry = readStatus(device, parsed.data.event, now);
    } else {
      log.info({ ...context, deviceId: device.deviceId }, 'device joined the network');
      telemetry = { ok: true, readings: [], events: [], warnings: [] };
    }
    if (!telemetry.ok) return failed(telemetry.code, telemetry.message, device);
    for (const warning of telemetry.warnings)
      log.debug({ ...context, deviceId: device.deviceId }, `codec warning: ${warning.slice(0, 300)}`);
    this.counter(device.kind).success(now);
    this.keep(device.kind, telemetry.readings, telemetry.events, now);
  }

  private keep(kind: DeviceKind, readings: Reading[], events: DeviceEvent[], now: Date): void {
    const buffer = this.buffers.get(kind) ?? { readings: [], events: [] };
    this.buffers.set(kind, buffer);
    buffer.readings.push(...readings);
    buffer.events.push(...events);
    const over = buffer.readings.length + buffer.events.length - this.options.settings.maxBuffered;
    if (over <= 0) return;
    // Nobody polled for a long time: the oldest readings go first, then the oldest events.
    const fromReadings = Math.min(over, buffer.readings.length);
    buffer.readings.splice(0, fromReadings);
    buffer.events.splice(0, over - fromReadings);
    this.counter(kind).failure(now, 'bufferFull');
    this.options.log.warn(
      { driver: 'chirpstack', name: this.options.name, kind, dropped: over },
      'buffer full: oldest readings dropped',
    );
  }

  /** Encodes a command with the device's codec and publishes it as a downlink (see docs/drivers.md). */
  async downlink(deviceId: string, command: DeviceCommand['command']): Promise<CommandExecution> {
    const device = this.byId.get(deviceId);
    if (!device) return { status: 'rejected', reason: 'unknownDevice' };
    const { log, settings } = this.options;
    const now = this.now();
    const context = {
      driver: 'chirpstack',
      name: this.options.name,
      deviceId,
      model: device.model,
      action: command.action,
    };
    const failed = (code: string, message: string): CommandExecution => {
      this.counter(device.kind).failure(now, code);
      log.warn({ ...context, code }, message.slice(0, 300));
      return { status: 'failed', reason: 'driverError' };
    };
    const payload = await this.encode(device, command);
    if ('refused' in payload) {
      log.info(context, `the device model cannot do this command: ${payload.refused.slice(0, 300)}`);
      return { status: 'rejected', reason: 'unsupported' };
    }
    if ('code' in payload) return failed(payload.code, payload.message);
    const client = this.client;
    if (!client?.connected) return failed('brokerUnreachable', 'the ChirpStack broker is unreachable');
    const topic = downlinkTopic(settings.applicationId, device.devEui);
    let timer: NodeJS.Timeout | undefined;
    try {
      await Promise.race([
        client.publishAsync(topic, JSON.stringify(payload.command), { qos: 1 }),
        new Promise((_, reject) => {
          timer = setTimeout(
            () => reject(new Error(`no PUBACK within ${publishTimeoutMs} ms`)),
            publishTimeoutMs,
          );
        }),
      ]);
    } catch (error) {
      return failed('downlinkFailed', (error as Error).message);
    } finally {
      clearTimeout(timer);
    }
    this.counter(device.kind).success(now);
    log.info({ ...context, fPort: payload.command.fPort }, 'downlink queued in ChirpStack');
    // ChirpStack queues it; a class A device receives it after its next uplink.
    return { status: 'succeeded', reason: 'deferred' };
  }

  private async encode(
    device: LoRaDevice,
    command: DeviceCommand['command'],
  ): Promise<{ command: DownlinkCommand } | { refused: string } | { code: string; message: string }> {
    const codec = this.options.codecs.get(device.model);
    const base = { devEui: device.devEui, confirmed: device.confirmed };
    let candidate: unknown;
    if (!codec) candidate = { ...base, fPort: device.fPort, object: command };
    else {
      let output: unknown;
      try {
        output = await codec.encodeDownlink({ data: command, variables: device.variables });
      } catch (error) {
        const code = error instanceof CodecSandboxError ? error.code : 'codecThrew';
        return { code, message: (error as Error).message };
      }
      const result = encodeResult.safeParse(output);
      if (!result.success) return { code: 'codecBadOutput', message: describeIssues(result.error) };
      const { bytes, fPort = device.fPort, errors = [] } = result.data;
      if (errors.length > 0 || !bytes) return { refused: errors.join('; ') };
      if (fPort === undefined)
        return { code: 'noDownlinkPort', message: 'neither the codec nor the model gives an fPort' };
      candidate = { ...base, fPort, data: Buffer.from(bytes).toString('base64') };
    }
    const parsed = downlinkCommand.safeParse(candidate);
    if (!parsed.success) return { code: 'badDownlink', message: describeIssues(parsed.error) };
    return { command: parsed.data };
  }

  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    await this.client?.endAsync(true);
    await this.queue;
    await this.options.closeCodecs?.();
  }
}
