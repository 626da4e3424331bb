import type { ApiFeatureDeps } from './api/feature.ts';
import type { ExternalBrokerSettings } from './broker/external-feature.ts';
import type { NamedListener } from './broker/feature.ts';
import type { CloudConfig } from './config.ts';
import type { TenantQuotas } from './tenants/schema.ts';

/* What the configuration asks of the installation's parts: its MQTT listeners, the city's own broker, the API, default quotas. */

/** The MQTT listeners the configuration asks for: plain TCP always, TLS and WebSocket when set. */
export function mqttListeners(config: CloudConfig): NamedListener[] {
  const host = config.MQTT_HOST;
  const listeners: NamedListener[] = [
    { name: 'mqtt', variable: 'MQTT_PORT', spec: { kind: 'tcp', port: config.MQTT_PORT, host } },
  ];
  if (config.MQTTS_PORT !== undefined) {
    const files = {
      cert: config.MQTT_TLS_CERT as string,
      key: config.MQTT_TLS_KEY as string,
      ca: config.MQTT_TLS_CA,
    };
    listeners.push({
      name: 'mqtts',
      variable: 'MQTTS_PORT',
      spec: { kind: 'tls', port: config.MQTTS_PORT, host, files },
    });
  }
  if (config.MQTT_WS_PORT !== undefined)
    listeners.push({
      name: 'ws',
      variable: 'MQTT_WS_PORT',
      spec: { kind: 'ws', port: config.MQTT_WS_PORT, host },
    });
  return listeners;
}

/** The city's own MQTT broker to ingest from (MQTT_EXTERNAL_*). */
export function externalSettings(config: CloudConfig, url: string): ExternalBrokerSettings {
  return {
    url,
    username: config.MQTT_EXTERNAL_USERNAME,
    password: config.MQTT_EXTERNAL_PASSWORD,
    caFile: config.MQTT_EXTERNAL_CA,
    group: config.MQTT_EXTERNAL_GROUP,
    clientId: config.MQTT_EXTERNAL_CLIENT_ID,
    connections: config.MQTT_EXTERNAL_CONNECTIONS,
    sessionExpirySeconds: config.MQTT_EXTERNAL_SESSION_EXPIRY_S,
  };
}

/** The quotas a tenant gets unless region staff set others. */
export function defaultQuotas(config: CloudConfig): TenantQuotas {
  return {
    devices: config.TENANT_MAX_DEVICES,
    gateways: config.TENANT_MAX_GATEWAYS,
    messagesPerSecond: config.TENANT_MESSAGES_PER_SECOND,
    deadLetterBytes: config.TENANT_DEAD_LETTER_BYTES,
    retentionDays: config.READINGS_RETENTION_DAYS,
  };
}

/** What the configuration sets of the REST API: its listener, limits, sign-in and session policies. */
export function apiSettings(
  config: CloudConfig,
): Omit<
  ApiFeatureDeps,
  | 'stores'
  | 'audit'
  | 'unattributedDeadLetters'
  | 'cells'
  | 'tenants'
  | 'influx'
  | 'counters'
  | 'mqtt'
  | 'now'
  | 'log'
> {
  return {
    adminToken: config.ADMIN_TOKEN,
    port: config.HTTP_PORT,
    host: config.HTTP_HOST,
    deadLetterQuotaBytes: config.DEAD_LETTER_QUOTA_BYTES,
    consoleDir: config.CONSOLE_DIR,
    corsOrigins: config.CORS_ORIGINS,
    requestsPerMinute: config.API_REQUESTS_PER_MINUTE,
    openDataRequestsPerMinute: config.OPEN_DATA_REQUESTS_PER_MINUTE,
    lockout: {
      maxFailures: config.LOGIN_MAX_FAILURES,
      windowMs: 15 * 60_000,
      lockMs: config.LOGIN_LOCKOUT_MINUTES * 60_000,
    },
    loginAttemptsPerMinute: config.LOGIN_ATTEMPTS_PER_MINUTE,
    session: {
      idleMs: config.SESSION_IDLE_MINUTES * 60_000,
      maxMs: config.SESSION_MAX_HOURS * 3_600_000,
    },
    cookieSecure: config.COOKIE_SECURE,
    trustProxy: config.TRUST_PROXY,
    seriesMaxPoints: config.SERIES_MAX_POINTS,
    events: {
      pingMs: config.EVENTS_PING_S * 1000,
      maxStreams: config.EVENTS_MAX_STREAMS,
      maxStreamsPerPrincipal: config.EVENTS_MAX_STREAMS_PER_PRINCIPAL,
    },
    mapTiles: { tileUrl: config.MAP_TILE_URL, attribution: config.MAP_ATTRIBUTION },
    summaryMaxAgeMs: config.SUMMARY_REFRESH_S * 1000,
  };
}
