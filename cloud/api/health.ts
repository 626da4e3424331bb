import { Router } from 'express';
import { z } from 'zod';
import type { ZodOpenApiPathsObject } from 'zod-openapi';

/** What the health routes read: why the cloud refuses or works only in part, and the detail. */
export interface HealthSource {
  /**
   * Why the cloud cannot accept messages and make them durable now (storage failed, the disk refuses
   * the journal, the journal is full); empty when it can.
   */
  refusing(): string[];
  /** What works only in part while messages are still accepted (InfluxDB unreachable: the journal buffers). */
  degraded(): string[];
  /** Versions, ports, journal depth, counters: for people. */
  detail(): Record<string, unknown>;
}

/**
 * The reasons of every tenant (one list each), each reason once, with how many tenants it holds for
 * when the installation runs more than one. The health routes answer without authentication: they
 * never name a tenant (its logs do, with `tenant`).
 */
export function mergedReasons(perTenant: string[][]): string[] {
  const tenants = new Map<string, number>();
  for (const reasons of perTenant)
    for (const reason of new Set(reasons)) tenants.set(reason, (tenants.get(reason) ?? 0) + 1);
  return [...tenants].map(([reason, count]) =>
    perTenant.length > 1 ? `${reason} (${count} of ${perTenant.length} tenants)` : reason,
  );
}

export const liveness = z.object({ live: z.literal(true) }).meta({ id: 'Liveness' });

export const readiness = z
  .object({
    ready: z.boolean(),
    reasons: z.array(z.string()).meta({ description: 'Why it is not ready; empty when it is' }),
  })
  .meta({ id: 'Readiness' });

export const healthReport = z
  .looseObject({
    status: z.enum(['ok', 'degraded', 'failing']).meta({
      description:
        '`failing`: cannot accept now (HTTP 503); `degraded`: accepts, but something works only in part',
    }),
    reasons: z.array(z.string()),
  })
  .meta({ id: 'Health' });

/**
 * `/health/live` (the process answers: a supervisor restarts it when this fails), `/health/ready`
 * (it can accept and make durable: 503 with the reasons when not) and `/health` (the detail for
 * people, 503 when failing). None needs authentication.
 */
export function healthRoutes(health: HealthSource): Router {
  const router = Router();
  router.get('/health/live', (_req, res) => {
    res.json({ live: true } satisfies z.infer<typeof liveness>);
  });
  router.get('/health/ready', (_req, res) => {
    const reasons = health.refusing();
    res.status(reasons.length > 0 ? 503 : 200).json({ ready: reasons.length === 0, reasons });
  });
  router.get('/health', (_req, res) => {
    const refusing = health.refusing();
    const degraded = health.degraded();
    const status = refusing.length > 0 ? 'failing' : degraded.length > 0 ? 'degraded' : 'ok';
    res
      .status(status === 'failing' ? 503 : 200)
      .json({ status, reasons: [...refusing, ...degraded], ...health.detail() });
  });
  return router;
}

const json = (description: string, schema: z.ZodType) => ({
  description,
  content: { 'application/json': { schema } },
});

export const healthPaths: ZodOpenApiPathsObject = {
  '/health/live': {
    get: {
      summary: 'Liveness: the process answers (no authentication)',
      security: [],
      responses: { '200': json('Alive', liveness) },
    },
  },
  '/health/ready': {
    get: {
      summary: 'Readiness: it can accept messages and make them durable (no authentication)',
      security: [],
      responses: {
        '200': json('Ready', readiness),
        '503': json(
          'Not ready: storage failed, the disk refuses the journal, or the journal is full',
          readiness,
        ),
      },
    },
  },
  '/health': {
    get: {
      summary: 'Status with the reasons, versions, journal and counters (no authentication)',
      security: [],
      responses: {
        '200': json('Accepting (`ok` or `degraded`)', healthReport),
        '503': json('Failing: it cannot accept now; `reasons` says why', healthReport),
      },
    },
  },
};
