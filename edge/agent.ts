import { join } from 'node:path';
import type { MqttClient } from 'mqtt';
import type { Logger } from 'pino';
import type { DeviceDriver } from '../shared/driver.ts';
import type { GatewayConfig, GatewayHeartbeat, GatewayStatus } from '../shared/messages.ts';
import { gatewayTopic } from '../shared/topics.ts';
import type { UplinkSource } from '../shared/uplink.ts';
import { softwareVersion } from '../shared/version.ts';
import { backoffDelay } from './backoff.ts';
import { CommandHandler } from './commands.ts';
import type { AgentConfig } from './config.ts';
import { DeadbandFilter, type DeadbandSettings } from './deadband.ts';
import { DriverSet } from './driver-set.ts';
import { connectMqtt } from './mqtt-connect.ts';
import type { Outbox } from './outbox/outbox.ts';
import { Publisher } from './publisher.ts';
import { RemoteConfig } from './remote-config.ts';

export interface AgentDependencies {
  config: AgentConfig;
  /**
   * The drivers built from the configuration's entries (composeAgent; the remote configuration can
   * replace them), or drivers given in code (in-process agents, tests), which it cannot.
   */
  drivers: DriverSet | DeviceDriver[];
  /** Where readings wait until the broker acknowledges them; the agent closes it on stop. */
  outbox: Outbox;
  log: Logger;
  /** Device time: the simulated clock for simulated drivers, the wall clock otherwise. */
  now: () => Date;
  /** Device seconds per real second (1 unless simulated): polls come every reportingIntervalS of it. */
  speed?: number;
  random: () => number;
  /** Fault injection: a malformed payload to send beside a real batch, or undefined. */
  malformed?: () => Buffer | undefined;
  /** Fault injection: once started, the agent drops off the network every `everyS` seconds for `forS`. */
  outages?: { everyS: number; forS: number };
  /** The cellular link, measured for each heartbeat; without it the heartbeat carries no `uplink`. */
  uplink?: UplinkSource;
}

/**
 * The edge agent of one gateway: polls its drivers into its outbox, publishes batches at QoS 1
 * (see Publisher), keeps a retained online status with a last will, sends heartbeats, carries out
 * commands, applies remote configuration, and reconnects with exponential backoff and jitter. The
 * constructor only wires its parts (no I/O, no timers); `start()` and `stop()` do the work.
 */
export class EdgeAgent {
  private readonly deps: AgentDependencies;
  private readonly outbox: Outbox;
  private readonly publisher: Publisher;
  private readonly commands: CommandHandler;
  private readonly remoteConfig: RemoteConfig;
  private readonly drivers: DriverSet;
  private readonly deadband = new DeadbandFilter();
  private startedAt = 0;
  private client?: MqttClient;
  private pollTimer?: NodeJS.Timeout;
  private heartbeatTimer?: NodeJS.Timeout;
  private outageTimer?: NodeJS.Timeout;
  private reportingIntervalS: number;
  private deadbandSettings?: DeadbandSettings;
  private attempt = 0;
  private holdOffMs?: number;
  connects = 0;
  /** Connection attempts after the first (mqtt.js `reconnect`), successful or not. */
  reconnects = 0;

  constructor(deps: AgentDependencies) {
    this.deps = deps;
    const { config, log, now } = deps;
    const dir = join(config.dataDir, config.gatewayId);
    this.reportingIntervalS = config.reportingIntervalS;
    this.drivers =
      deps.drivers instanceof DriverSet
        ? deps.drivers
        : DriverSet.fixed(deps.drivers, { deadlineMs: config.driverDeadlineS * 1000, log });
    this.outbox = deps.outbox;
    this.publisher = new Publisher({
      gatewayId: config.gatewayId,
      outbox: this.outbox,
      log,
      now,
      maxBatchItems: config.batch.maxReadings,
      maxInFlight: config.batch.maxInFlight,
      replayItemsPerS: config.queue.replayPerS,
      malformed: deps.malformed,
      // The backoff starts again only once a connection proved useful: the broker took a batch. A
      // broker that lets gateways in (and acknowledges their status) but cannot store what they
      // send (its disk is full) is not hammered by reconnects every second.
      onAcknowledged: () => {
        this.attempt = 0;
      },
    });
    this.commands = new CommandHandler({
      gatewayId: config.gatewayId,
      drivers: () => this.drivers.drivers,
      log,
      now,
      sendResult: (result) => this.send('command-results', result),
      queue: (readings, events) => {
        this.queue('telemetry', readings);
        this.queue('events', events);
      },
    });
    this.remoteConfig = new RemoteConfig({
      gatewayId: config.gatewayId,
      path: join(dir, 'remote-config.json'),
      log,
      now,
      apply: (remote) => this.applyRemoteConfig(remote),
      sendStatus: (status) => this.send('config-status', status),
    });
  }

  get gatewayId(): string {
    return this.deps.config.gatewayId;
  }

  get connected(): boolean {
    return this.client?.connected ?? false;
  }

  get stats() {
    return {
      ...this.publisher.stats,
      connects: this.connects,
      reconnects: this.reconnects,
      queueDepth: this.outbox.depth,
      gap: this.outbox.gap,
    };
  }

  get configVersion(): number {
    return this.remoteConfig.version;
  }

  /** Starts polling, heartbeats and the connection; resolves once the first connection is up. */
  async start(options: { poll?: boolean } = {}): Promise<void> {
    const { config, log } = this.deps;
    this.startedAt = Date.now();
    this.remoteConfig.restore();
    const statusTopic = gatewayTopic(config.gatewayId, 'status');
    const offline: GatewayStatus = { v: 1, gatewayId: config.gatewayId, state: 'offline', softwareVersion };
    const client = connectMqtt(
      config.mqtt.url,
      {
        clientId: config.gatewayId,
        username: config.gatewayId,
        password: config.mqtt.password,
        keepalive: config.mqtt.keepaliveS,
        clean: true,
        reconnectPeriod: config.backoff.initialMs,
        reconnectOnConnackError: true,
        connectTimeout: 10_000,
        will: { topic: statusTopic, payload: Buffer.from(JSON.stringify(offline)), qos: 1, retain: true },
      },
      config.mqtt.tls,
    );
    this.client = client;
    // Runs before mqtt.js schedules its reconnect, so the delay it uses is ours.
    client.prependListener('close', () => {
      client.options.reconnectPeriod =
        this.holdOffMs ?? backoffDelay(config.backoff, this.attempt++, this.deps.random);
      this.holdOffMs = undefined;
    });
    client.on('reconnect', () => {
      this.reconnects++;
    });
    client.on('connect', () => {
      this.connects++;
      log.info({ gatewayId: config.gatewayId }, 'connected to broker');
      // Subscribed before it says it is online: a cloud behind a broker of the city's own learns that a
      // gateway listens for commands only from this status (docs/scale-out.md).
      client.subscribe(
        [gatewayTopic(config.gatewayId, 'commands'), gatewayTopic(config.gatewayId, 'config')],
        {
          qos: 1,
        },
      );
      const online: GatewayStatus = { ...offline, state: 'online', ts: this.deps.now().toISOString() };
      client.publish(statusTopic, JSON.stringify(online), { qos: 1, retain: true });
      this.publisher.connected(client);
    });
    client.on('message', (topic, payload) => {
      if (topic === gatewayTopic(config.gatewayId, 'commands')) void this.commands.handle(payload);
      else if (topic === gatewayTopic(config.gatewayId, 'config')) this.remoteConfig.handle(payload);
    });
    client.on('error', (error) => log.warn({ err: error, gatewayId: config.gatewayId }, 'MQTT error'));
    client.on('offline', () =>
      log.warn({ gatewayId: config.gatewayId }, 'broker unreachable; readings wait in the outbox'),
    );
    // Polling starts at once: readings taken while the broker is unreachable wait in the outbox.
    if (options.poll ?? true) this.schedulePolling();
    this.heartbeatTimer = setInterval(() => void this.sendHeartbeat(), config.heartbeatIntervalS * 1000);
    await new Promise<void>((resolve) => client.once('connect', () => resolve()));
    const { outages } = this.deps;
    if (outages)
      this.outageTimer = setInterval(() => this.cutConnection(outages.forS * 1000), outages.everyS * 1000);
  }

  private schedulePolling(): void {
    clearInterval(this.pollTimer);
    void this.pollOnce();
    const periodMs = (this.reportingIntervalS * 1000) / (this.deps.speed ?? 1);
    this.pollTimer = setInterval(() => void this.pollOnce(), periodMs);
  }

  /** Drivers first: an entry refused (EdgeConfigError) refuses the whole configuration. */
  private applyRemoteConfig(remote: GatewayConfig): void {
    this.drivers
      .replace(remote.drivers)
      .catch((error) => this.deps.log.error({ err: error }, 'replaced drivers did not close'));
    this.deadbandSettings = { deadband: remote.deadband, maxSilenceMs: remote.maxSilenceS * 1000 };
    if (remote.reportingIntervalS !== this.reportingIntervalS) {
      this.reportingIntervalS = remote.reportingIntervalS;
      if (this.pollTimer) this.schedulePolling();
    }
  }

  /**
   * Reads every driver once, all at once, and stores what each returned in the outbox as it comes:
   * a driver that fails or hangs yields nothing (IsolatedDriver) and holds up no other.
   */
  async pollOnce(): Promise<void> {
    const now = this.deps.now();
    await Promise.all(
      this.drivers.drivers.map(async (driver) => {
        const { readings, events } = await driver.poll(now);
        try {
          this.queue('telemetry', this.deadband.filter(readings, this.deadbandSettings));
          this.queue('events', events);
        } catch (error) {
          this.deps.log.error({ err: error, kind: driver.kind }, 'storing readings in the outbox failed');
        }
      }),
    );
  }

  private queue(channel: 'telemetry' | 'events', items: readonly { ts: string }[]): void {
    this.outbox.push(channel, items, this.deps.now());
    this.publisher.pump();
  }

  /** Resolves when everything queued so far has been acknowledged by the broker. */
  drained(): Promise<void> {
    return this.publisher.drained();
  }

  /** Fault injection: drops the connection without a DISCONNECT (the broker sends the last will) and stays away. */
  cutConnection(forMs: number): void {
    if (!this.client) return;
    this.holdOffMs = forMs;
    this.client.stream.destroy();
  }

  private send(channel: 'command-results' | 'config-status' | 'heartbeat', body: object): void {
    this.client?.publish(gatewayTopic(this.gatewayId, channel), JSON.stringify(body), { qos: 1 });
  }

  /** The link is measured first (the source has its own deadline and never throws). */
  async sendHeartbeat(): Promise<void> {
    const uplink = await this.deps.uplink?.read(this.deps.now());
    const gap = this.outbox.gap;
    const heartbeat: GatewayHeartbeat = {
      v: 1,
      gatewayId: this.gatewayId,
      sentAt: this.deps.now().toISOString(),
      uptime: (Date.now() - this.startedAt) / 1000,
      queueDepth: this.outbox.depth,
      droppedReadings: gap.count,
      droppedRange: gap.from && gap.to ? { from: gap.from, to: gap.to } : undefined,
      deviceCount: this.drivers.deviceCount,
      softwareVersion,
      memoryRss: process.memoryUsage.rss(),
      configVersion: this.remoteConfig.version,
      drivers: this.drivers.health(),
      ...(uplink ? { uplink } : {}),
    };
    this.send('heartbeat', heartbeat);
  }

  /** Publishes a retained offline status, then disconnects cleanly; the outbox keeps what was not sent. */
  async stop(): Promise<void> {
    clearInterval(this.pollTimer);
    clearInterval(this.heartbeatTimer);
    clearInterval(this.outageTimer);
    this.publisher.stop();
    const client = this.client;
    if (client?.connected) {
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
    await client?.endAsync(true);
    await this.drivers.close();
    this.outbox.close();
  }
}
