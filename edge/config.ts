import { readFileSync } from 'node:fs';
import { z } from 'zod';
import { driverEntry } from '../shared/driver-entry.ts';
import { gatewayId } from '../shared/ids.ts';
import { maxReadingsPerBatch } from '../shared/messages.ts';

/** Edge agent configuration: a JSON file (EDGE_CONFIG) with environment overrides, validated here. */
export const edgeConfig = z
  .object({
    gatewayId,
    mqtt: z
      .object({
        url: z.string().regex(/^(mqtts?|wss?|tcp):\/\/.+/, 'an mqtt://, mqtts://, ws:// or wss:// URL'),
        /**
         * The gateway's secret; better given as EDGE_GATEWAY_SECRET than written in the file. Optional
         * with a client certificate (mutual TLS); when it is sent, the cloud checks it.
         */
        password: z.string().min(1).optional(),
        keepaliveS: z.int().min(5).max(3_600).default(30),
        /**
         * TLS client settings for an mqtts:// or wss:// URL: PEM files read when the agent starts. `caFile`
         * is the CA the broker's certificate is checked against (the system's CAs without it);
         * `certFile` and `keyFile`, the gateway's client certificate (CN = gateway id, pinned in the
         * cloud with `provision -- gateway cert`) and its key, for mutual TLS.
         */
        tls: z
          .object({
            caFile: z.string().min(1).optional(),
            certFile: z.string().min(1).optional(),
            keyFile: z.string().min(1).optional(),
          })
          .strict()
          .optional(),
      })
      .strict()
      .superRefine((mqtt, ctx) => {
        const issue = (path: string[], message: string) => ctx.addIssue({ code: 'custom', path, message });
        if (!mqtt.password && !mqtt.tls?.certFile)
          issue(
            ['password'],
            'the gateway secret is required unless tls.certFile gives a client certificate',
          );
        if (mqtt.tls && !/^(mqtts|wss):/.test(mqtt.url))
          issue(['tls'], 'TLS settings need an mqtts:// or wss:// URL');
        if (Boolean(mqtt.tls?.certFile) !== Boolean(mqtt.tls?.keyFile))
          issue(['tls'], 'certFile and keyFile go together');
      }),
    /** The provisioning file that lists this gateway's devices (provisioning/fleet/*.json). */
    fleetFile: z.string().min(1).optional(),
    reportingIntervalS: z.number().min(0.01).max(86_400).default(60),
    heartbeatIntervalS: z.number().min(1).max(3_600).default(30),
    batch: z
      .object({
        maxReadings: z.int().min(1).max(maxReadingsPerBatch).default(500),
        /** At most this many batches are awaiting PUBACK at once. */
        maxInFlight: z.int().min(1).max(1_000).default(16),
      })
      .strict()
      .default({ maxReadings: 500, maxInFlight: 16 }),
    /** Where the durable outbox and the applied remote configuration live. */
    dataDir: z.string().min(1).default('./data/edge'),
    queue: z
      .object({
        /** The outbox holds at most this many readings and events; beyond it the oldest are dropped. */
        maxReadings: z.int().min(1).default(1_000_000),
        /** Items older than this are dropped (a gap in the data, reported in the heartbeat). */
        maxAgeS: z
          .number()
          .positive()
          .default(7 * 24 * 3600),
        /** The backlog after an outage is replayed at most this fast (items per second). */
        replayPerS: z.number().positive().default(2_000),
      })
      .strict()
      .default({ maxReadings: 1_000_000, maxAgeS: 7 * 24 * 3600, replayPerS: 2_000 }),
    backoff: z
      .object({ initialMs: z.int().min(10).default(1_000), maxMs: z.int().min(10).default(60_000) })
      .strict()
      .default({ initialMs: 1_000, maxMs: 60_000 }),
    /**
     * A driver's poll or command that has not ended after this long is abandoned: that driver is
     * failing (in its health), the others and the agent go on.
     */
    driverDeadlineS: z.number().min(0.01).max(3_600).default(30),
    /**
     * Where the devices' readings come from: entries `{ "type": ..., "name"?: ..., ...settings }`,
     * each built by the driver factory registered under its type, which checks its settings. The
     * remote configuration can replace them (docs/drivers.md).
     */
    drivers: z.array(driverEntry).min(1).max(64),
    /**
     * Where the heartbeat's `uplink` comes from: `{ "type": "mmcli", ...settings }` on a gateway with a
     * cellular modem (ModemManager); absent, the heartbeat carries none (docs/coverage.md).
     */
    uplink: z
      .object({ type: z.string().regex(/^[a-z][a-z0-9-]{0,31}$/, 'an uplink source type, e.g. mmcli') })
      .loose()
      .optional(),
  })
  .strict();
export type EdgeConfig = z.infer<typeof edgeConfig>;

/**
 * The agent's own settings: the configuration without what the composition root builds the agent's
 * drivers and uplink source from (`drivers`, `fleetFile`, `uplink`). In-process agents with drivers
 * of their own (tests, the streaming city) are configured with it.
 */
export const agentConfig = edgeConfig.omit({ drivers: true, fleetFile: true, uplink: true });
export type AgentConfig = z.infer<typeof agentConfig>;

/**
 * A configuration the agent cannot run. `fields` names what was wrong as dotted paths
 * (`drivers.1.devices.0.host`), for the config-status of a refused remote configuration.
 */
export class EdgeConfigError extends Error {
  readonly fields: string[];
  constructor(message: string, options: { cause?: unknown; fields?: string[] } = {}) {
    super(message, { cause: options.cause });
    this.fields = options.fields ?? [];
  }
}

/**
 * The fields a validation found wrong, as dotted paths under `prefix` (`deadband.activePower`,
 * `drivers.1.host`): what a config-status may carry instead of the validator's sentences. A key
 * that is not a plain name is named by its parent; an unknown field is named itself; an issue with
 * the whole message is `config`. At most 20.
 */
export function fieldPaths(error: z.ZodError, prefix: readonly PropertyKey[] = []): string[] {
  const fields = new Set<string>();
  for (const issue of error.issues) {
    const keys = issue.code === 'unrecognized_keys' ? [...issue.path, issue.keys[0] ?? ''] : issue.path;
    fields.add(fieldPath([...prefix, ...keys]));
  }
  return [...fields].slice(0, 20);
}

/** `keys` as a dotted path, cut before the first key that is not a plain name; `config` for none. */
export function fieldPath(keys: readonly PropertyKey[]): string {
  const path: string[] = [];
  for (const key of keys) {
    const part = String(key);
    if (!/^[A-Za-z0-9_]{1,40}$/.test(part)) break;
    path.push(part);
  }
  return path.length > 0 ? path.join('.').slice(0, 100) : 'config';
}

export function describeIssues(error: z.ZodError): string {
  return error.issues.map((i) => `${i.path.join('.') || '(root)'}: ${i.message}`).join('; ');
}

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** Reads the file named by EDGE_CONFIG, applies EDGE_MQTT_URL and EDGE_GATEWAY_SECRET, validates. */
export function loadEdgeConfig(env: Record<string, string | undefined> = process.env): EdgeConfig {
  const path = env.EDGE_CONFIG;
  if (!path) throw new EdgeConfigError('EDGE_CONFIG must name the agent configuration file');
  let raw: unknown;
  try {
    raw = JSON.parse(readFileSync(path, 'utf8'));
  } catch (error) {
    throw new EdgeConfigError(`cannot read ${path}: ${(error as Error).message}`);
  }
  if (!isObject(raw))
    throw new EdgeConfigError(`invalid edge configuration in ${path}: (root): expected an object`);
  const mqtt = isObject(raw.mqtt) ? { ...raw.mqtt } : {};
  if (env.EDGE_MQTT_URL) mqtt.url = env.EDGE_MQTT_URL;
  if (env.EDGE_GATEWAY_SECRET) mqtt.password = env.EDGE_GATEWAY_SECRET;
  const parsed = edgeConfig.safeParse({ ...raw, mqtt });
  if (!parsed.success)
    throw new EdgeConfigError(`invalid edge configuration in ${path}: ${describeIssues(parsed.error)}`);
  return parsed.data;
}
