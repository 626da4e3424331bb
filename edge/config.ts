import { readFileSync } from 'node:fs';
import { z } from 'zod';
import { gatewayId } from '../shared/ids.ts';
import { maxReadingsPerBatch } from '../shared/messages.ts';

/** An entry of `drivers`: a driver type and that type's settings. */
export const driverEntry = z.object({ type: z.string().min(1) }).loose();
export type DriverEntry = z.infer<typeof driverEntry>;

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
     * Where the devices' readings come from: entries `{ "type": ..., ...settings }`, each built by the
     * driver factory registered under its type, which checks its settings.
     */
    drivers: z.array(driverEntry).min(1),
  })
  .strict();
export type EdgeConfig = z.infer<typeof edgeConfig>;

/**
 * The agent's own settings: the configuration without what the composition root builds the agent's
 * drivers from (`drivers`, `fleetFile`). In-process agents with drivers of their own (tests, the
 * streaming city) are configured with it.
 */
export const agentConfig = edgeConfig.omit({ drivers: true, fleetFile: true });
export type AgentConfig = z.infer<typeof agentConfig>;

export class EdgeConfigError extends Error {}

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
