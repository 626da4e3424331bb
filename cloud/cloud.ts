import { existsSync } from 'node:fs';
import type { Logger } from 'pino';
import { type Clock, wallClock } from '../shared/clock.ts';
import { readFleetCity } from '../shared/fleet-files.ts';
import { defaultTenantId } from '../shared/ids.ts';
import { gatewayTopic, parseTopic } from '../shared/topics.ts';
import { apiFeature } from './api/feature.ts';
import { externalBrokerFeature } from './broker/external-feature.ts';
import { brokerFeature, mqttListenersFeature } from './broker/feature.ts';
import { GatewayOutbound } from './broker/outbound.ts';
import type { RefusedPublish } from './broker/refusals.ts';
import { clusterJournalFeature } from './cluster/feature.ts';
import { gatewayCommandEvents } from './cluster/gateway-commands.ts';
import type { CloudConfig } from './config.ts';
import { deadLettersFeature } from './dead-letters/feature.ts';
import type { UplinkMessage } from './ingest/ingest.ts';
import { startFeatures } from './lifecycle/features.ts';
import { Counters } from './monitoring/counters.ts';
import { postgresStoresFeature } from './postgres-stores.ts';
import { apiSettings, defaultQuotas, externalSettings, mqttListeners } from './settings.ts';
import { sqliteStoresFeature } from './sqlite-stores.ts';
import { takesMessages } from './storage/cell-journal.ts';
import type { InfluxConnection } from './storage/influx.ts';
import { applyRetentionPolicy } from './storage/retention-policy.ts';
import { startTenantCell } from './tenant-cell.ts';
import { tenantMayPublish } from './tenants/alert-topics.ts';
import type { TenantCell } from './tenants/cell-parts.ts';
import { TenantCells } from './tenants/cells.ts';
import { eraseTenant } from './tenants/erase.ts';
import { upgradeSingleCityLayout } from './tenants/legacy-layout.ts';
import { tenantPaths } from './tenants/paths.ts';
import type { Tenant } from './tenants/schema.ts';
import { TenantService } from './tenants/service.ts';

export interface CloudDependencies {
  config: CloudConfig;
  log: Logger;
  influx: InfluxConnection;
  /**
   * The time the cloud reads (the wall clock by default). The demo in fast time gives it the devices'
   * simulated clock: timestamps, durations, rule ticks, schedules, snapshots and jobs follow it.
   */
  clock?: Clock;
  /**
   * Storage can no longer make messages durable (a flush to disk failed, or its thread died). The
   * cloud keeps answering /health ("failing") but acknowledges nothing; `cloud/main.ts` exits so that
   * the supervisor restarts it and SQLite recovers the journal from what is on disk.
   */
  onFatal?: (error: Error) => void;
}

interface Running {
  cells: TenantCells;
  tenants: TenantService;
  mqttPorts: Record<string, number>;
  httpPort: number;
  stop: () => Promise<void>;
}

/**
 * The default tenant a single-city installation becomes: its city from the fleet files (the first
 * one's), or a placeholder to rename when there are none yet.
 */
async function defaultTenant(config: CloudConfig, now: Date): Promise<Tenant> {
  const city = (await readFleetCity(config.FLEET_DIR)) ?? {
    name: 'City',
    timezone: 'UTC',
    location: { lat: 0, lon: 0 },
  };
  return {
    id: defaultTenantId,
    ...city,
    status: 'active',
    quotas: defaultQuotas(config),
    createdAt: now.toISOString(),
  };
}

/**
 * The cloud process: the composition root. The installation's parts (the platform's stores of
 * accounts and tenants, the MQTT broker, the API) are shared; each tenant runs in a cell of its own
 * (cloud/tenant-cell.ts: its stores, journal, InfluxDB database, registry, rules, alerts...). The
 * stores are SQLite files under DATA_DIR, or with DATABASE_URL one PostgreSQL database the nodes of
 * a cluster share.
 * Each part is built by its factory from what it uses, started in this order, and stopped in
 * reverse (points not yet in InfluxDB stay in the journals); if one fails to start, those started
 * before it are stopped.
 */
export class Cloud {
  readonly counters = new Counters();
  private readonly deps: CloudDependencies;
  private running?: Running;

  constructor(deps: CloudDependencies) {
    this.deps = deps;
  }

  get mqttPort(): number {
    return this.require().mqttPorts.mqtt as number;
  }

  get httpPort(): number {
    return this.require().httpPort;
  }

  /** Every MQTT listener's bound port: mqtt, and mqtts and ws when enabled. */
  get mqttPorts(): Record<string, number> {
    return this.require().mqttPorts;
  }

  /** The running tenants. */
  get cells(): TenantCells {
    return this.require().cells;
  }

  /** Creates, changes, suspends and deletes tenants (as region staff do over the API). */
  get tenants(): TenantService {
    return this.require().tenants;
  }

  private require(): Running {
    if (!this.running) throw new Error('cloud is not started');
    return this.running;
  }

  async start(): Promise<void> {
    const { config, log, influx, onFatal } = this.deps;
    const clock = this.deps.clock ?? wallClock;
    const now = clock.now;
    const counters = this.counters;
    const outbound = new GatewayOutbound(log);
    const { value, stop } = await startFeatures(log, async (start) => {
      const uplink = (message: UplinkMessage, tenant: string): Promise<void> => {
        const cell = cells.get(tenant);
        if (!cell) return Promise.reject(new Error(`tenant ${tenant} is not running`));
        return cell.ingestor.handle(message);
      };
      const refused = (message: RefusedPublish): void => {
        const cell = message.tenant === undefined ? undefined : cells.get(message.tenant);
        (cell?.intake ?? unattributed.intake).refusedPublish(message);
      };
      const tenantRefusal = (tenant: string): string | undefined => {
        const record = service.current(tenant);
        if (!record) return `its tenant ${tenant} does not exist`;
        if (record.status === 'suspended') return `its tenant ${tenant} is suspended`;
        return cells.get(tenant) ? undefined : `its tenant ${tenant} is not running`;
      };
      const upgraded = upgradeSingleCityLayout(config.DATA_DIR, log);
      // Cluster mode: the state the nodes share in PostgreSQL; else SQLite files under DATA_DIR.
      const stores = await start(
        config.DATABASE_URL
          ? postgresStoresFeature(config.DATABASE_URL, log)
          : sqliteStoresFeature(config.DATA_DIR, log),
      );
      const { audit, users, tokens, sessions } = stores.platform;
      const mqtt = brokerFeature({
        credentialsFile: config.CREDENTIALS_FILE,
        certificateRequired: config.MQTT_TLS_CA !== undefined,
        limits: {
          maxPayloadBytes: config.MQTT_MAX_PAYLOAD_BYTES,
          connectionsPerMinutePerAddress: config.MQTT_CONNECTIONS_PER_MINUTE,
          messagesPerSecondPerGateway: config.MQTT_MESSAGES_PER_SECOND,
          readAhead: config.MQTT_READ_AHEAD,
        },
        log,
        counters,
        now,
        outbound,
        onUplink: (message, tenant) => uplink(message, tenant),
        onRefused: (message) => refused(message),
        gateways: {
          onGatewayListening: (gateway, tenant) => void gateways.onGatewayListening(gateway, tenant),
          onGatewayGone: (gateway, tenant) => gateways.onGatewayGone(gateway, tenant),
          onDelivered: (topic, payload, tenant) =>
            cells.get(tenant)?.commands.gateways.onDelivered(topic, payload),
        },
        tenants: {
          refusal: (tenant) => tenantRefusal(tenant),
          messagesPerSecond: (tenant) => service.current(tenant)?.quotas.messagesPerSecond ?? 0,
          gatewayOverQuota: (tenant, gateway, connected) =>
            cells.get(tenant)?.quotas.gatewayOverQuota(gateway, connected),
          counters: (tenant) => cells.get(tenant)?.counters,
          takesMessages: (tenant) => takesMessages(cells.get(tenant)?.journal),
        },
      });
      // Cluster mode: every tenant's journal is its subject of the shared JetStream stream.
      const cluster = config.NATS_URL
        ? await start(
            clusterJournalFeature({ config: { ...config, NATS_URL: config.NATS_URL }, log, counters }),
          )
        : undefined;
      // Only to a tenant's own gateways, whatever its fleet files say.
      const sendTo = (tenant: string, topic: string, body: object, retain?: boolean): void => {
        const gateway = parseTopic(topic)?.gatewayId;
        if (gateway !== undefined && mqtt.tenantOf(gateway) === tenant) {
          outbound.send(topic, body, retain);
          return;
        }
        counters.add('outbound_refused_other_tenant');
        log.error({ tenant, topic }, "not sent: the topic is not one of this tenant's gateways");
      };
      cluster?.configs.takeOthers((tenant, gateway, body) =>
        sendTo(tenant, gatewayTopic(gateway, 'config'), body, true),
      );
      const gateways = gatewayCommandEvents({
        commandsOf: (tenant) => cells.get(tenant)?.commands,
        relay: cluster?.commands,
        log,
      });
      const startCell = (tenant: Tenant): Promise<TenantCell> => {
        const id = tenant.id;
        const paths = tenantPaths(config, id);
        return startTenantCell({
          config,
          tenant: () => service.current(id) ?? tenant,
          stores: stores.cell(id, paths.dataDir),
          paths: {
            ...paths,
            // A tenant's folder may have no channels file: it gets the log and MQTT channels.
            notificationsFile:
              id === defaultTenantId || (paths.notificationsFile && existsSync(paths.notificationsFile))
                ? paths.notificationsFile
                : undefined,
          },
          log,
          counters,
          influx,
          clock,
          send: cluster
            ? cluster.configs.sharing(id, (topic, body, retain) => sendTo(id, topic, body, retain))
            : (topic, body, retain) => sendTo(id, topic, body, retain),
          publish: (topic, payload) =>
            tenantMayPublish(id, topic)
              ? outbound.publish(topic, payload)
              : Promise.reject(
                  new Error(`tenant ${id} may not publish on ${topic}: city/v1/tenants/${id}/… only`),
                ),
          mqtt: {
            connectedGateways: () => connectedIdsOf(id),
            messagesPerSecond: () => mqtt.messageRateOf(id),
          },
          onFatal,
          sharedJournal: cluster && ((parts) => cluster.journalOf(id, parts)),
          forwardCommand: cluster && ((record) => cluster.commands.forward(id, record)),
          rulesPartition: cluster && ((parts) => cluster.rulesOf(id, parts)),
          sharing: cluster?.sharing(id),
        });
      };
      // Gateways connect to the embedded broker, or to the city's own one (MQTT_EXTERNAL_URL).
      let external: ReturnType<typeof externalBrokerFeature> | undefined;
      const connectedIdsOf = (tenant: string): ReadonlySet<string> => {
        const outside = external?.connectedIdsOf(tenant);
        const inside = mqtt.connectedIdsOf(tenant);
        return outside && outside.size > 0 ? new Set([...inside, ...outside]) : inside;
      };
      const cells = new TenantCells({ startCell, log });
      const service = new TenantService({
        store: stores.platform.tenants,
        cells,
        defaultQuotas: defaultQuotas(config),
        now,
        log,
        endGatewaySessions: (tenant, why) => mqtt.endTenantSessions(tenant, why),
        applyRetention: async (tenant, days) => {
          const cell = cells.get(tenant);
          if (cell) await applyRetentionPolicy(cell.influx, days, cell.log);
        },
        erase: (tenant) =>
          eraseTenant(tenant, {
            config,
            influx,
            users,
            tokens,
            sessions,
            credentialsFile: config.CREDENTIALS_FILE,
            dropStores: (id) => stores.dropTenant(id),
            log,
          }),
      });
      await start({
        name: 'tenants',
        async start() {
          const tenants = await service.load();
          const first = tenants.length === 0 && (upgraded || config.DEFAULT_TENANT);
          if (first) await service.create(await defaultTenant(config, now()));
          for (const tenant of tenants) await cells.start(tenant);
        },
        stop: () => cells.stopAll(),
      });
      const unattributed = await start(
        deadLettersFeature({
          open: stores.platform.deadLetters,
          quotaBytes: config.DEAD_LETTER_QUOTA_BYTES,
          rawTtlMs: config.DEAD_LETTER_RAW_TTL_H * 3_600_000,
          counters,
          log,
          now,
        }),
      );
      await start(mqtt);
      const { ports } = await start(
        mqttListenersFeature({ broker: mqtt.broker, listeners: mqttListeners(config) }),
      );
      external = config.MQTT_EXTERNAL_URL
        ? await start(
            externalBrokerFeature({
              settings: externalSettings(config, config.MQTT_EXTERNAL_URL),
              outbound,
              onEmbedded: (gateway) => {
                const tenant = mqtt.tenantOf(gateway);
                return tenant !== undefined && mqtt.connectedIdsOf(tenant).has(gateway);
              },
              tenantOf: mqtt.tenantOfNow,
              refusal: tenantRefusal,
              onUplink: uplink,
              onRefused: refused,
              onGatewayListening: (gateway, tenant) => void gateways.onGatewayListening(gateway, tenant),
              onGatewayGone: gateways.onGatewayGone,
              log,
              counters,
            }),
          )
        : undefined;
      const api = await start(
        apiFeature({
          ...apiSettings(config),
          stores: { users, tokens, sessions },
          audit,
          unattributedDeadLetters: unattributed.store,
          cells,
          tenants: service,
          influx,
          counters,
          mqtt: { ports, connectedClients: mqtt.connectedClients },
          now,
          log,
        }),
      );
      return { cells, tenants: service, mqttPorts: ports, httpPort: api.port };
    });
    this.running = { ...value, stop };
    log.info(
      {
        mqttPort: value.mqttPorts.mqtt,
        httpPort: value.httpPort,
        tenants: value.cells.all().length,
        devices: value.cells.all().reduce((n, cell) => n + cell.registry.size, 0),
        influx: influx.server.version,
      },
      'cloud started',
    );
  }

  /** Resolves when every point accepted so far, of every tenant, is in InfluxDB and rolled up. */
  async flush(): Promise<void> {
    await Promise.all(
      this.require()
        .cells.all()
        .map(async (cell) => {
          await cell.journal.drained();
          // The hours just written, rolled up: series of whole hours and days see them too.
          await cell.rollups.settle();
        }),
    );
  }

  /** Stops every feature, last started first, each even if another failed. */
  async stop(): Promise<void> {
    const running = this.running;
    if (!running) return;
    this.running = undefined;
    await running.stop();
    this.deps.log.info('cloud stopped');
  }
}
