import mqtt, { type MqttClient } from 'mqtt';
import type { Logger } from 'pino';
import type { DeviceEvent, Reading } from '../shared/kinds/index.ts';
import type { EventBatch, GatewayHeartbeat, GatewayStatus, TelemetryBatch } from '../shared/messages.ts';
import { gatewayTopic } from '../shared/topics.ts';
import { softwareVersion } from '../shared/version.ts';
import { backoffDelay } from './backoff.ts';
import type { EdgeConfig } from './config.ts';
import type { DeviceDriver } from './drivers/driver.ts';
import { MemoryOutbox } from './outbox.ts';

export interface AgentDependencies {
  config: EdgeConfig;
  drivers: DeviceDriver[];
  log: Logger;
  /** Device time: the simulated clock for simulated drivers, the wall clock otherwise. */
  now: () => Date;
  random: () => number;
  /** Fault injection: a malformed payload to send beside a real batch, or undefined. */
  malformed?: () => Buffer | undefined;
}

export interface AgentStats {
  publishedReadings: number;
  publishedEvents: number;
  publishedBatches: number;
  connects: number;
}

/**
 * The edge agent of one gateway: polls its drivers, queues readings in a bounded outbox, publishes
 * them in batches at QoS 1 with a window of unacknowledged batches, keeps a retained online status
 * with a last will, sends heartbeats, and reconnects with exponential backoff and jitter.
 */
export class EdgeAgent {
  readonly stats: AgentStats = { publishedReadings: 0, publishedEvents: 0, publishedBatches: 0, connects: 0 };
  private readonly deps: AgentDependencies;
  private readonly readings: MemoryOutbox<Reading>;
  private readonly events: MemoryOutbox<DeviceEvent>;
  private readonly bootId = Date.now().toString(36);
  private readonly startedAt = Date.now();
  private client?: MqttClient;
  private timers: NodeJS.Timeout[] = [];
  private inFlight = 0;
  private inFlightReadings = 0;
  private sequence = 0;
  private attempt = 0;
  private holdOffMs?: number;
  private idleWaiters: (() => void)[] = [];

  constructor(deps: AgentDependencies) {
    this.deps = deps;
    this.readings = new MemoryOutbox(deps.config.queue.maxReadings);
    this.events = new MemoryOutbox(deps.config.queue.maxReadings);
  }

  get gatewayId(): string {
    return this.deps.config.gatewayId;
  }

  get connected(): boolean {
    return this.client?.connected ?? false;
  }

  get queueDepth(): number {
    return this.readings.depth + this.inFlightReadings;
  }

  /** Starts polling, heartbeats and the connection; resolves once the first connection is up. */
  async start(options: { poll?: boolean } = {}): Promise<void> {
    const { config, log } = this.deps;
    const statusTopic = gatewayTopic(config.gatewayId, 'status');
    const offline: GatewayStatus = { v: 1, gatewayId: config.gatewayId, state: 'offline', softwareVersion };
    const client = mqtt.connect(config.mqtt.url, {
      clientId: config.gatewayId,
      username: config.gatewayId,
      password: config.mqtt.password,
      keepalive: config.mqtt.keepaliveS,
      clean: true,
      reconnectPeriod: config.backoff.initialMs,
      reconnectOnConnackError: true,
      connectTimeout: 10_000,
      will: { topic: statusTopic, payload: Buffer.from(JSON.stringify(offline)), qos: 1, retain: true },
    });
    this.client = client;
    // Runs before mqtt.js schedules its reconnect, so the delay it uses is ours.
    client.prependListener('close', () => {
      client.options.reconnectPeriod =
        this.holdOffMs ?? backoffDelay(config.backoff, this.attempt++, this.deps.random);
      this.holdOffMs = undefined;
    });
    client.on('connect', () => {
      this.attempt = 0;
      this.stats.connects++;
      log.info({ gatewayId: config.gatewayId }, 'connected to broker');
      const online: GatewayStatus = { ...offline, state: 'online', ts: this.deps.now().toISOString() };
      client.publish(statusTopic, JSON.stringify(online), { qos: 1, retain: true });
      this.pump();
    });
    client.on('error', (error) => log.warn({ err: error, gatewayId: config.gatewayId }, 'MQTT error'));
    client.on('offline', () =>
      log.warn({ gatewayId: config.gatewayId }, 'broker unreachable; queueing readings'),
    );
    // Polling starts at once: readings taken while the broker is unreachable wait in the outbox.
    if (options.poll ?? true) {
      void this.pollOnce();
      const speed = config.simulation.speed;
      this.timers.push(setInterval(() => void this.pollOnce(), (config.reportingIntervalS * 1000) / speed));
    }
    this.timers.push(setInterval(() => this.sendHeartbeat(), config.heartbeatIntervalS * 1000));
    await new Promise<void>((resolve) => client.once('connect', () => resolve()));
  }

  /** Reads every driver once and queues what they returned. */
  async pollOnce(): Promise<void> {
    const now = this.deps.now();
    for (const driver of this.deps.drivers) {
      try {
        const { readings, events } = await driver.poll(now);
        this.readings.push(readings);
        this.events.push(events);
      } catch (error) {
        this.deps.log.error({ err: error, kind: driver.kind }, 'driver poll failed');
      }
    }
    this.pump();
  }

  /** Resolves when everything queued so far has been acknowledged by the broker. */
  drained(): Promise<void> {
    if (this.readings.depth === 0 && this.events.depth === 0 && this.inFlight === 0) return Promise.resolve();
    return new Promise((resolve) => this.idleWaiters.push(resolve));
  }

  /** Fault injection: drops the connection without a DISCONNECT (the broker sends the last will) and stays away. */
  cutConnection(forMs: number): void {
    const client = this.client;
    if (!client) return;
    this.holdOffMs = forMs;
    client.stream.destroy();
  }

  private sendHeartbeat(): void {
    const { config } = this.deps;
    const dropped = this.readings.dropped;
    const heartbeat: GatewayHeartbeat = {
      v: 1,
      gatewayId: config.gatewayId,
      sentAt: this.deps.now().toISOString(),
      uptime: (Date.now() - this.startedAt) / 1000,
      queueDepth: this.queueDepth,
      droppedReadings: dropped.count,
      droppedRange: dropped.from && dropped.to ? { from: dropped.from, to: dropped.to } : undefined,
      deviceCount: this.deps.drivers.reduce((n, d) => n + d.deviceCount, 0),
      softwareVersion,
      memoryRss: process.memoryUsage.rss(),
    };
    this.client?.publish(gatewayTopic(config.gatewayId, 'heartbeat'), JSON.stringify(heartbeat), { qos: 1 });
  }

  /** Hands batches to mqtt.js while fewer than maxInFlight are awaiting PUBACK. */
  private pump(): void {
    const { config } = this.deps;
    const client = this.client;
    while (client?.connected && this.inFlight < config.batch.maxInFlight) {
      const events = this.events.take(config.batch.maxReadings);
      if (events.length > 0) {
        this.publish(client, 'events', this.eventBatch(events), events.length, 0);
        continue;
      }
      const readings = this.readings.take(config.batch.maxReadings);
      if (readings.length === 0) break;
      this.publish(client, 'telemetry', this.telemetryBatch(readings), 0, readings.length);
    }
    if (this.inFlight === 0 && this.readings.depth === 0 && this.events.depth === 0) {
      for (const resolve of this.idleWaiters.splice(0)) resolve();
    }
  }

  private publish(
    client: MqttClient,
    channel: 'telemetry' | 'events',
    body: object,
    events: number,
    readings: number,
  ) {
    const topic = gatewayTopic(this.deps.config.gatewayId, channel);
    const bad = this.deps.malformed?.();
    if (bad) client.publish(topic, bad, { qos: 1 });
    this.inFlight++;
    this.inFlightReadings += readings;
    // mqtt.js keeps an unacknowledged QoS 1 message in its outgoing store and resends it after a
    // reconnect, so the promise settles only once the broker has acknowledged it.
    client.publishAsync(topic, JSON.stringify(body), { qos: 1 }).then(
      () => {
        this.inFlight--;
        this.inFlightReadings -= readings;
        this.stats.publishedBatches++;
        this.stats.publishedReadings += readings;
        this.stats.publishedEvents += events;
        this.pump();
      },
      (error: Error) => {
        this.inFlight--;
        this.inFlightReadings -= readings;
        this.deps.log.error({ err: error, topic, readings, events }, 'publish failed; batch lost');
      },
    );
  }

  private telemetryBatch(readings: Reading[]): TelemetryBatch {
    return { ...this.envelope(), batchId: `${this.bootId}-${this.sequence++}`, readings };
  }

  private eventBatch(events: DeviceEvent[]): EventBatch {
    return { ...this.envelope(), events };
  }

  private envelope() {
    return { v: 1 as const, gatewayId: this.deps.config.gatewayId, sentAt: this.deps.now().toISOString() };
  }

  /** Publishes a retained offline status, then disconnects cleanly. */
  async stop(): Promise<void> {
    for (const timer of this.timers) clearInterval(timer);
    this.timers = [];
    const client = this.client;
    if (!client) return;
    if (client.connected) {
      const offline: GatewayStatus = {
        v: 1,
        gatewayId: this.gatewayId,
        state: 'offline',
        ts: this.deps.now().toISOString(),
        softwareVersion,
      };
      await client.publishAsync(gatewayTopic(this.gatewayId, 'status'), JSON.stringify(offline), {
        qos: 1,
        retain: true,
      });
    }
    await client.endAsync();
    await Promise.all(this.deps.drivers.map((d) => d.close()));
  }
}
