import { z } from 'zod';

const seconds = z.coerce.number().positive();

/**
 * The cluster's journal on NATS JetStream, as the environment sets it (the cloud nodes and the
 * storage workers read the same variables). NATS_URL set puts a cloud node in cluster mode.
 */
export const jetStreamVariables = {
  /** NATS server(s), comma-separated (nats://host:4222); set: the journal is the JetStream stream. */
  NATS_URL: z.string().min(1).optional(),
  /** The stream every node appends to and the workers drain. */
  JETSTREAM_STREAM: z
    .string()
    .regex(/^[A-Za-z0-9_-]+$/, 'letters, digits, "_" and "-"')
    .default('CITY_JOURNAL'),
  /** Subjects are <prefix>.<tenant>. */
  JETSTREAM_SUBJECT_PREFIX: z
    .string()
    .regex(/^[a-z0-9_-]+(\.[a-z0-9_-]+)*$/, 'dot-separated tokens')
    .default('city.journal'),
  /** A batch id seen again within this window is stored once (JetStream's duplicate window). */
  JETSTREAM_DUPLICATE_WINDOW_S: seconds.default(3_600),
  /** The stream refuses appends beyond this many bytes (no PUBACK: backpressure to the gateways). */
  JETSTREAM_MAX_BYTES: z.coerce
    .number()
    .int()
    .positive()
    .default(8 * 1024 ** 3),
  /** Copies of the stream (1 on one server; 3 in production, see docs/scale-out.md). */
  JETSTREAM_REPLICAS: z.coerce.number().int().min(1).max(5).default(1),
  /** How long a node waits for JetStream to confirm an append before it refuses the message. */
  JETSTREAM_PUBLISH_TIMEOUT_S: seconds.default(5),
  /** The storage workers' durable pull consumer. */
  JETSTREAM_CONSUMER: z
    .string()
    .regex(/^[A-Za-z0-9_-]+$/, 'letters, digits, "_" and "-"')
    .default('storage-workers'),
  /** A batch a worker took and neither acknowledged nor refused within this is given to another worker. */
  JETSTREAM_ACK_WAIT_S: seconds.default(30),
  /**
   * The rules lease of a tenant (one node evaluates its rules): a node that dies loses it after this,
   * and another takes over. The holder renews it every third of it.
   */
  RULES_LEASE_S: seconds.default(10),
  /** How long the rules' copy of the batches is kept for the node evaluating them (then the oldest go). */
  JETSTREAM_RULES_MAX_AGE_S: seconds.default(3_600),
};

/** What only the cloud nodes read: messages to gateways across the nodes (commands, configurations). */
export const gatewayRelayVariables = {
  /**
   * Subjects are <prefix>.<tenant>.<gateway>.<channel> on core NATS; must not overlap the journal's
   * subjects (JETSTREAM_SUBJECT_PREFIX), or the stream would take those messages in.
   */
  NATS_GATEWAY_SUBJECT_PREFIX: z
    .string()
    .regex(/^[a-z0-9_-]+(\.[a-z0-9_-]+)*$/, 'dot-separated tokens')
    .default('city.gateways'),
};

export type GatewayRelayVariables = z.infer<z.ZodObject<typeof gatewayRelayVariables>>;

const jetStreamObject = z.object(jetStreamVariables);
export type JetStreamVariables = z.infer<typeof jetStreamObject>;

/** What the journal's code uses, named for what it is. */
export interface JetStreamSettings {
  servers: string[];
  stream: string;
  subjectPrefix: string;
  duplicateWindowMs: number;
  maxBytes: number;
  replicas: number;
  publishTimeoutMs: number;
  consumer: string;
  ackWaitMs: number;
  rulesLeaseMs: number;
  rulesMaxAgeMs: number;
}

export function jetStreamSettings(config: JetStreamVariables & { NATS_URL: string }): JetStreamSettings {
  return {
    servers: config.NATS_URL.split(',')
      .map((s) => s.trim())
      .filter(Boolean),
    stream: config.JETSTREAM_STREAM,
    subjectPrefix: config.JETSTREAM_SUBJECT_PREFIX,
    duplicateWindowMs: config.JETSTREAM_DUPLICATE_WINDOW_S * 1000,
    maxBytes: config.JETSTREAM_MAX_BYTES,
    replicas: config.JETSTREAM_REPLICAS,
    publishTimeoutMs: config.JETSTREAM_PUBLISH_TIMEOUT_S * 1000,
    consumer: config.JETSTREAM_CONSUMER,
    ackWaitMs: config.JETSTREAM_ACK_WAIT_S * 1000,
    rulesLeaseMs: config.RULES_LEASE_S * 1000,
    rulesMaxAgeMs: config.JETSTREAM_RULES_MAX_AGE_S * 1000,
  };
}
