import { z } from 'zod';
import { jetStreamVariables } from './settings.ts';

const port = z.coerce.number().int().min(0).max(65_535);

/** A storage worker's configuration, from the environment (documented in docs/scale-out.md). */
export const workerConfig = z
  .object({
    ...jetStreamVariables,
    NATS_URL: z.string().min(1),
    INFLUX_URL: z.url(),
    INFLUX_TOKEN: z.string().default(''),
    /** The installation's database: each tenant's is named from it (cloud/tenants/database-name.ts). */
    INFLUX_DATABASE: z.string().min(1).default('city'),
    INFLUX_ORG: z.string().default('city'),
    /**
     * The installation's PostgreSQL (the nodes' DATABASE_URL): the workers mark the hours they wrote
     * into there, and the one holding its lock computes the rollups (docs/rollups.md). Unset: no
     * rollups are kept up to date in cluster mode.
     */
    DATABASE_URL: z
      .url({
        protocol: /^postgres(ql)?$/,
        error: 'a PostgreSQL URL, postgres://user:password@host:5432/database',
      })
      .optional(),
    /** As the nodes': mark and compute rollups (with DATABASE_URL), how long they are kept, the pause between passes. */
    ROLLUPS_ENABLED: z.stringbool().default(true),
    ROLLUP_RETENTION_DAYS: z.coerce.number().int().min(1).max(36_500).default(3_650),
    ROLLUP_INTERVAL_S: z.coerce.number().positive().max(3_600).default(60),
    /** /health, /health/live and /health/ready. */
    WORKER_HTTP_PORT: port.default(8090),
    WORKER_HTTP_HOST: z.string().default('0.0.0.0'),
    /** Messages (each a gateway's batch of readings) taken per pull from the stream, at most. */
    WORKER_BATCH_MESSAGES: z.coerce.number().int().min(1).max(10_000).default(200),
    /** Lines of one tenant sent to InfluxDB in one write, once that many have come... */
    WORKER_BATCH_LINES: z.coerce.number().int().min(1).max(100_000).default(5_000),
    /** ...or once the first of them has waited this long (ms). */
    WORKER_LINGER_MS: z.coerce.number().int().min(0).max(10_000).default(200),
    /** Writes to InfluxDB in flight at once. */
    WORKER_CONCURRENCY: z.coerce.number().int().min(1).max(16).default(2),
    /** The longest wait between attempts while InfluxDB refuses writes. */
    WORKER_MAX_RETRY_S: z.coerce.number().positive().default(5),
    /** How often progress is logged. */
    WORKER_PROGRESS_S: z.coerce.number().positive().default(10),
    LOG_LEVEL: z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']).default('info'),
  })
  .refine((config) => config.WORKER_LINGER_MS * 2 <= config.JETSTREAM_ACK_WAIT_S * 1000, {
    // A message waits out the linger unacknowledged: it must not reach the ack wait and go to another worker.
    message: 'WORKER_LINGER_MS must be at most half of JETSTREAM_ACK_WAIT_S',
    path: ['WORKER_LINGER_MS'],
  });
export type WorkerConfig = z.infer<typeof workerConfig>;

export function loadWorkerConfig(env: Record<string, string | undefined> = process.env): WorkerConfig {
  const set = Object.fromEntries(Object.entries(env).filter(([, value]) => value !== ''));
  const parsed = workerConfig.safeParse(set);
  if (!parsed.success) {
    const fields = parsed.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`).join('; ');
    throw new Error(`invalid storage worker configuration: ${fields}`);
  }
  return parsed.data;
}
