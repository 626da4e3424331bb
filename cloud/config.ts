import { resolve } from 'node:path';
import { z } from 'zod';
import { gatewayRelayVariables, jetStreamVariables } from './cluster/settings.ts';
import { prefixesOverlap } from './cluster/subjects.ts';

const port = z
  .string()
  .regex(/^\d+$/, 'a port number')
  .transform(Number)
  .pipe(z.number().int().min(0).max(65_535))
  .or(z.number().int().min(0).max(65_535));
const seconds = z.coerce.number().positive();
const days = z.coerce.number().int().positive();

/** Cloud configuration, from the environment. Every variable is documented in the README. */
export const cloudConfig = z.object({
  HTTP_PORT: port.default(8080),
  HTTP_HOST: z.string().default('0.0.0.0'),
  MQTT_PORT: port.default(1883),
  MQTT_HOST: z.string().default('0.0.0.0'),
  /**
   * MQTT over TLS; needs MQTT_TLS_CERT and MQTT_TLS_KEY. With MQTT_TLS_CA (which needs MQTTS_PORT),
   * gateways need their pinned client certificate, and the plain and WebSocket listeners refuse them.
   */
  MQTTS_PORT: port.optional(),
  MQTT_TLS_CERT: z.string().optional(),
  MQTT_TLS_KEY: z.string().optional(),
  MQTT_TLS_CA: z.string().optional(),
  /** MQTT over WebSocket. */
  MQTT_WS_PORT: port.optional(),
  MQTT_MAX_PAYLOAD_BYTES: z.coerce.number().int().min(1_024).default(1_048_576),
  MQTT_CONNECTIONS_PER_MINUTE: z.coerce.number().int().positive().default(120),
  MQTT_MESSAGES_PER_SECOND: z.coerce.number().positive().default(500),
  /**
   * QoS 1 messages of one gateway read and evaluated while earlier ones wait for the journal (0: none).
   * Off by default: with it on, the storage fault tests' "nothing more accepted" checks failed under
   * load (docs/benchmarks.md, the twelfth session).
   */
  MQTT_READ_AHEAD: z.coerce.number().int().min(0).max(64).default(8),
  /**
   * A city's own MQTT broker (MQTT 5, e.g. Mosquitto 2) to ingest from besides the embedded one: the
   * platform joins a shared subscription there (docs/scale-out.md, "An existing MQTT broker").
   */
  MQTT_EXTERNAL_URL: z.url({ protocol: /^(mqtts?|wss?)$/ }).optional(),
  MQTT_EXTERNAL_USERNAME: z.string().optional(),
  MQTT_EXTERNAL_PASSWORD: z.string().optional(),
  /** PEM file of the CA of the external broker's certificate, when it is a private one. */
  MQTT_EXTERNAL_CA: z.string().optional(),
  /** The shared-subscription group every node of this platform joins. */
  MQTT_EXTERNAL_GROUP: z
    .string()
    .regex(/^[A-Za-z0-9_-]{1,64}$/, 'letters, digits, _ and - (no / + #)')
    .default('city-platform'),
  /** This node's client id prefix at the external broker: keep it stable, the broker keeps its session. */
  MQTT_EXTERNAL_CLIENT_ID: z
    .string()
    .regex(/^[A-Za-z0-9_.-]{1,60}$/, 'letters, digits, _ . and -')
    .default('city-platform'),
  /** Subscriber connections this node opens in the group (each takes one message at a time). */
  MQTT_EXTERNAL_CONNECTIONS: z.coerce.number().int().min(1).max(32).default(4),
  /** How long the external broker keeps this node's session and queues its messages while it is away. */
  MQTT_EXTERNAL_SESSION_EXPIRY_S: z.coerce.number().int().min(60).max(4_294_967_295).default(86_400),
  DATA_DIR: z.string().default('./data'),
  /** The default tenant's fleet files (a single-city installation's). */
  FLEET_DIR: z.string().default('./provisioning/fleet'),
  /** Every other tenant's provisioning folder: <TENANTS_DIR>/<tenant>/fleet, rules, notifications.json. */
  TENANTS_DIR: z.string().default('./provisioning/tenants'),
  /**
   * On the first start of an installation without tenants, create the default tenant (a single
   * city, from FLEET_DIR); a region's installation sets it false and creates its tenants itself.
   */
  DEFAULT_TENANT: z.stringbool().default(true),
  /** The quotas a tenant gets unless region staff set others (see docs/tenancy.md). */
  TENANT_MAX_DEVICES: z.coerce.number().int().min(0).default(1_000_000),
  TENANT_MAX_GATEWAYS: z.coerce.number().int().min(0).default(10_000),
  TENANT_MESSAGES_PER_SECOND: z.coerce.number().positive().default(10_000),
  TENANT_DEAD_LETTER_BYTES: z.coerce
    .number()
    .int()
    .min(0)
    .default(1_024 * 1_048_576),
  CREDENTIALS_FILE: z.string().optional(),
  /**
   * PostgreSQL for the state cluster nodes share (docs/scale-out.md): accounts, tenants and each
   * tenant's stores (registry, rules, alerts, commands, notifications, gateway configurations, open
   * data, audit log, dead letters). Unset (the default): the embedded SQLite databases under
   * DATA_DIR, and no PostgreSQL is needed.
   */
  DATABASE_URL: z
    .url({
      protocol: /^postgres(ql)?$/,
      error: 'a PostgreSQL URL, postgres://user:password@host:5432/database',
    })
    .optional(),
  INFLUX_URL: z.url().optional(),
  INFLUX_TOKEN: z.string().default(''),
  INFLUX_DATABASE: z.string().min(1).default('city'),
  INFLUX_ORG: z.string().default('city'),
  INFLUX_BATCH_SIZE: z.coerce.number().int().positive().default(5_000),
  /** Writes to InfluxDB in flight at once. */
  INFLUX_WRITE_CONCURRENCY: z.coerce.number().int().min(1).max(16).default(4),
  /** Points fewer than a batch wait up to this long (ms) for more before they are written; 0: at once. */
  INFLUX_WRITE_LINGER_MS: z.coerce.number().int().min(0).max(10_000).default(50),
  /** Points waiting for InfluxDB beyond which acknowledgements slow down (backpressure). */
  JOURNAL_MAX_LINES: z.coerce.number().int().positive().default(5_000_000),
  /** How long a batch id is remembered to recognise a redelivered batch. */
  DEDUPE_WINDOW_S: seconds.default(7 * 24 * 3600),
  DEVICE_OFFLINE_AFTER_S: seconds.default(900),
  /**
   * Auto-discovery: learn a device not in the fleet files from its first reading or event. Off, such
   * readings and events are refused (`unknown-device`), so a sender cannot make its own text a device id.
   */
  LEARN_UNPROVISIONED_DEVICES: z.stringbool().default(false),
  /** A series answer has at most this many buckets; a longer request is coarsened. */
  SERIES_MAX_POINTS: z.coerce.number().int().min(10).max(100_000).default(2_000),
  /** Rules other than a kind's defaults: every `*.json` here. */
  RULES_DIR: z.string().default('./provisioning/rules'),
  /** Each kind's default rules, in `<KIND_RULES_DIR>/<kind>/rules.json`. */
  KIND_RULES_DIR: z.string().default('./provisioning/kinds'),
  /** How often timer-driven rules (absence, for, schedules, auto-clear, groups) are evaluated. */
  RULES_TICK_S: seconds.default(10),
  /** JSON list of notification channels (webhook, mqtt, log); default: a log channel and MQTT on city/v1/alerts. */
  NOTIFICATIONS_FILE: z.string().optional(),
  DIGEST_CRON: z.string().default('0 7 * * *'),
  /** When the pruning job runs (in the city's time zone); the retentions below are what it enforces. */
  PRUNE_CRON: z.string().default('30 3 * * *'),
  /** InfluxDB's retention policy: readings, events, alert transitions, status snapshots (a year and a month: a month compares with the same month last year). */
  READINGS_RETENTION_DAYS: days.default(400),
  /**
   * Hourly and daily aggregates of every numeric metric, computed by the platform as data arrives
   * (docs/rollups.md). Enabling them on a database with history backfills it in the background.
   */
  ROLLUPS_ENABLED: z.stringbool().default(true),
  /** How long InfluxDB keeps the rollups (their own retention policy): ten years by default. */
  ROLLUP_RETENTION_DAYS: days.default(3_650),
  /** Pause between rollup rounds once nothing is left to compute (simulated seconds under SIM_SPEED). */
  ROLLUP_INTERVAL_S: z.coerce.number().positive().max(3_600).default(60),
  /** Resolved alerts (with their history and operators' comments). */
  ALERT_RETENTION_DAYS: days.default(90),
  /** Rule state of subjects whose alert cleared this long ago (keep it longer than any `minInterval`). */
  RULE_STATE_RETENTION_DAYS: days.default(30),
  /** Commands in a final status (succeeded, failed, rejected, expired). */
  COMMAND_RETENTION_DAYS: days.default(90),
  /** Who changed what through the API. */
  AUDIT_RETENTION_DAYS: days.default(365),
  /** Refused messages. */
  DEAD_LETTER_RETENTION_DAYS: days.default(30),
  /** The notification delivery log and the keys that keep a notification from being sent twice. */
  NOTIFICATION_RETENTION_DAYS: days.default(90),
  /** Bytes of dead letters kept per gateway; past it new letters are dropped and counted. */
  DEAD_LETTER_QUOTA_BYTES: z.coerce
    .number()
    .int()
    .min(1_024)
    .default(10 * 1_048_576),
  /** Hours a payload kept by a gateway's debug capture is kept, then deleted. */
  DEAD_LETTER_RAW_TTL_H: z.coerce.number().positive().max(720).default(72),
  /** How often device_status (map) and platform_stats (platform dashboard) are written. */
  STATUS_SNAPSHOT_S: seconds.default(60),
  PLATFORM_STATS_S: seconds.default(10),
  MAX_READING_AGE_S: seconds.default(7 * 24 * 3600),
  MAX_CLOCK_SKEW_S: seconds.default(300),
  /** Ensures an admin API token with this value exists (bootstrap); better: `npm run provision -- token add`. */
  ADMIN_TOKEN: z.string().min(24, 'at least 24 characters').optional(),
  /** Comma-separated origins allowed to call the API from a browser. */
  CORS_ORIGINS: z
    .string()
    .default('')
    .transform((list) =>
      list
        .split(',')
        .map((o) => o.trim())
        .filter(Boolean),
    ),
  /** The built operator console (npm run console:build), served at `/` on HTTP_PORT. */
  CONSOLE_DIR: z.string().default('./console/dist'),
  API_REQUESTS_PER_MINUTE: z.coerce.number().int().positive().default(1_200),
  /** Requests a minute per client address to the public open-data API (/open), which needs no token. */
  OPEN_DATA_REQUESTS_PER_MINUTE: z.coerce.number().int().positive().default(120),
  /** Failed sign-ins within 15 minutes that lock a username. */
  LOGIN_MAX_FAILURES: z.coerce.number().int().min(1).max(100).default(5),
  /** How long a locked username stays locked. */
  LOGIN_LOCKOUT_MINUTES: z.coerce
    .number()
    .positive()
    .max(24 * 60)
    .default(15),
  /** Failed sign-ins a minute per client address (on top of the lock-out per username). */
  LOGIN_ATTEMPTS_PER_MINUTE: z.coerce.number().int().positive().default(10),
  /** A browser session not used for this long ends. */
  SESSION_IDLE_MINUTES: z.coerce.number().positive().default(480),
  /** A browser session ends this long after sign-in, however much it is used. */
  SESSION_MAX_HOURS: z.coerce.number().positive().default(24),
  /** The session cookie is Secure on every answer, also on requests that did not come over TLS. */
  COOKIE_SECURE: z.stringbool().default(false),
  /**
   * express's `trust proxy`: whose X-Forwarded-Proto/-For to believe (for the cookie's Secure and the
   * client address of rate limits): `false`, `true` (any; avoid), a number of hops, or addresses,
   * subnets and names (`loopback`, `uniquelocal`) separated by commas.
   */
  TRUST_PROXY: z
    .string()
    .default('false')
    .transform((value): boolean | number | string =>
      value === 'true' ? true : value === 'false' ? false : /^\d+$/.test(value) ? Number(value) : value,
    ),
  /** Open live streams (GET /api/v1/events) at once: in all, and per user or token. */
  EVENTS_MAX_STREAMS: z.coerce.number().int().min(1).default(1_000),
  EVENTS_MAX_STREAMS_PER_PRINCIPAL: z.coerce.number().int().min(1).default(50),
  /** A comment line sent on every live stream this often, so that proxies keep it open. */
  EVENTS_PING_S: z.coerce.number().positive().max(3_600).default(15),
  /** How often devices' connectivity is swept for their map state (ok/offline). */
  DEVICE_STATE_SWEEP_S: z.coerce.number().positive().max(3_600).default(2),
  /** How old a fleet summary (/api/v1/summary) may be before it is computed again (served meanwhile). */
  SUMMARY_REFRESH_S: z.coerce.number().positive().max(3_600).default(5),
  /** Tiles the console's map draws under the devices ({z}/{x}/{y} URL); unset: no external tiles. */
  MAP_TILE_URL: z.url({ protocol: /^https?$/ }).optional(),
  /** Attribution shown with those tiles (e.g. "© OpenStreetMap contributors"). */
  MAP_ATTRIBUTION: z.string().max(500).optional(),
  LOG_LEVEL: z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']).default('info'),
  /** Cluster mode (NATS_URL set): the journal is a JetStream stream shared by the nodes (docs/scale-out.md). */
  ...jetStreamVariables,
  ...gatewayRelayVariables,
});
export type CloudConfig = z.infer<typeof cloudConfig> & { CREDENTIALS_FILE: string };

export class ConfigError extends Error {}

export function loadCloudConfig(env: Record<string, string | undefined> = process.env): CloudConfig {
  // An empty variable (FOO= in a shell or a compose file) means "not set".
  const set = Object.fromEntries(Object.entries(env).filter(([, value]) => value !== ''));
  const parsed = cloudConfig.safeParse(set);
  if (!parsed.success) {
    const fields = parsed.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`).join('; ');
    throw new ConfigError(`invalid cloud configuration: ${fields}`);
  }
  const config = parsed.data;
  if (config.MQTTS_PORT !== undefined && (!config.MQTT_TLS_CERT || !config.MQTT_TLS_KEY)) {
    throw new ConfigError('invalid cloud configuration: MQTTS_PORT: needs MQTT_TLS_CERT and MQTT_TLS_KEY');
  }
  if (prefixesOverlap(config.NATS_GATEWAY_SUBJECT_PREFIX, config.JETSTREAM_SUBJECT_PREFIX)) {
    throw new ConfigError(
      'invalid cloud configuration: NATS_GATEWAY_SUBJECT_PREFIX: must not overlap JETSTREAM_SUBJECT_PREFIX',
    );
  }
  if (config.MQTT_TLS_CA !== undefined && config.MQTTS_PORT === undefined) {
    // Client certificates are presented on the TLS listener; without it no gateway could connect.
    throw new ConfigError('invalid cloud configuration: MQTT_TLS_CA: needs MQTTS_PORT');
  }
  return {
    ...config,
    DATA_DIR: resolve(config.DATA_DIR),
    CREDENTIALS_FILE: resolve(config.CREDENTIALS_FILE ?? `${config.DATA_DIR}/gateway-credentials.json`),
  };
}
