import type { MqttClient } from 'mqtt';
import type { Logger } from 'pino';
import type { CommandExecution, DeviceDriver, DriverHealth } from '../../../shared/driver.ts';
import { type DeviceEvent, type DeviceKind, kinds, type Reading } from '../../../shared/kinds/index.ts';
import { connectMqtt } from '../../mqtt-connect.ts';
import type { HealthTracker } from '../health.ts';
import { crosslineCounts, occupancyCounts, parseAxisEnvelope } from './axis-event.ts';
import { type Area, CameraTally } from './tally.ts';

export interface CameraScenario extends Area {
  /** The scenario as the event topic ends: `Device1Scenario1`. */
  scenario: string;
  type: 'crossline' | 'occupancy';
}

export interface AnalyticsCamera {
  deviceId: string;
  /** The camera's serial number (its MAC address without colons), as its events carry it. */
  serial: string;
  scenarios: CameraScenario[];
}

export interface CameraAnalyticsOptions {
  /** The kind of the devices (the one whose readings carry the counts: peopleCount, occupancy...). */
  kind: DeviceKind;
  broker: { url: string; username?: string; password?: string; clientId: string };
  /** The subscription that takes the cameras' analytics events. */
  topic: string;
  cameras: AnalyticsCamera[];
  tracker: HealthTracker;
  log: Logger;
  now: () => Date;
}

/**
 * The `camera-analytics` driver: subscribes to the MQTT broker the cameras publish their AXIS
 * Object Analytics events to, adds up line crossings and keeps the latest occupancy per camera,
 * and sends each camera's counts at every poll that has some. An interval without an event sends
 * nothing for that camera (no event is not zero people: the camera may be down). Only the counts
 * of an event are read (axis-event.ts); an event it cannot read, from a camera or scenario it does
 * not know, is counted in its health and dropped.
 */
export class CameraAnalyticsDriver implements DeviceDriver {
  readonly kind: DeviceKind;
  private readonly options: CameraAnalyticsOptions;
  private readonly bySerial: Map<string, AnalyticsCamera>;
  private readonly tallies: Map<string, CameraTally>;
  private readonly logged = new Set<string>();
  private client?: MqttClient;
  private closing = false;

  constructor(options: CameraAnalyticsOptions) {
    this.options = options;
    this.kind = options.kind;
    this.bySerial = new Map(options.cameras.map((c) => [c.serial.toUpperCase(), c]));
    this.tallies = new Map(options.cameras.map((c) => [c.deviceId, new CameraTally()]));
  }

  get deviceCount(): number {
    return this.options.cameras.length;
  }

  has(deviceId: string): boolean {
    return this.tallies.has(deviceId);
  }

  async poll(now: Date): Promise<{ readings: Reading[]; events: DeviceEvent[] }> {
    this.client ??= this.subscribe();
    const readings: Reading[] = [];
    for (const [deviceId, tally] of this.tallies) {
      const metrics = tally.take();
      if (!metrics) continue;
      const reading = kinds[this.kind].reading.safeParse({
        deviceId,
        kind: this.kind,
        ts: now.toISOString(),
        metrics,
      });
      if (reading.success) readings.push(reading.data as Reading);
      else this.problem('invalidValue', { deviceId });
    }
    return { readings, events: [] };
  }

  private subscribe(): MqttClient {
    const { broker, topic, tracker, log } = this.options;
    const client = connectMqtt(broker.url, {
      clientId: broker.clientId,
      ...(broker.username ? { username: broker.username } : {}),
      ...(broker.password ? { password: broker.password } : {}),
      reconnectPeriod: 2_000,
      connectTimeout: 10_000,
    });
    client.on('connect', () => {
      client.subscribe(topic, { qos: 1 }, (error) => {
        if (error) return log.warn({ err: error, topic }, 'analytics subscription refused');
        tracker.record('broker', 'ok', undefined);
        log.info({ broker: broker.url }, 'analytics events subscribed');
      });
    });
    client.on('close', () => {
      if (!this.closing) tracker.record('broker', 'failed', undefined, 'brokerUnreachable');
    });
    client.on('error', (error) => log.warn({ err: error, broker: broker.url }, 'analytics broker error'));
    client.on('message', (_topic, payload) => this.take(payload));
    return client;
  }

  /** One event: its counts into the camera's tally, or a counted problem. */
  private take(payload: Buffer): void {
    const problem = this.read(payload);
    if (problem) this.problem(problem.code, { deviceId: problem.deviceId });
    else this.options.tracker.record('broker', 'ok', this.options.now());
  }

  /** Puts the event's counts in its camera's tally; what went wrong when it cannot. */
  private read(payload: Buffer): { code: string; deviceId?: string } | undefined {
    const parsed = parseAxisEnvelope(payload);
    if (!parsed.ok) return { code: parsed.reason };
    const { serial, scenario, data } = parsed.envelope;
    const source = this.bySerial.get(serial);
    if (!source) return { code: 'unknownCamera' };
    const { deviceId } = source;
    const setting = source.scenarios.find((s) => s.scenario === scenario);
    if (!setting) return { code: 'unknownScenario', deviceId };
    const tally = this.tallies.get(deviceId) as CameraTally;
    if (setting.type === 'crossline') {
      const counts = crosslineCounts(data);
      if (!counts) return { code: 'invalidEvent', deviceId };
      tally.crossline(scenario, counts);
    } else {
      const counts = occupancyCounts(data);
      if (!counts) return { code: 'invalidEvent', deviceId };
      tally.occupancy(counts, setting);
    }
    return undefined;
  }

  /** Counted each time; logged the first time for each code and camera (never with the payload). */
  private problem(code: string, context: { deviceId?: string | undefined }): void {
    this.options.tracker.error(code);
    const key = `${code} ${context.deviceId ?? ''}`;
    if (this.logged.has(key)) return;
    this.logged.add(key);
    this.options.log.warn({ ...context, code }, 'analytics event dropped (counted; logged once)');
  }

  async execute(): Promise<CommandExecution> {
    return { status: 'rejected', reason: 'unsupported' };
  }

  health(): DriverHealth {
    return this.options.tracker.snapshot();
  }

  async close(): Promise<void> {
    this.closing = true;
    await this.client?.endAsync(true);
  }
}
