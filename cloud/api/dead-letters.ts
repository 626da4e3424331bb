import { Router } from 'express';
import { z } from 'zod';
import type { ZodOpenApiPathsObject } from 'zod-openapi';
import type { AuditLog } from '../access/audit.ts';
import { type DeadLetterStore, deadLetter, gatewayUsage, rawPayload } from '../dead-letters/store.ts';
import { InvalidRequestError, NotFoundError } from '../errors/domain-error.ts';
import { principalOf, requireRole } from './auth.ts';
import { parseWith } from './errors.ts';
import { answer, jsonBody, pageOf, refusals } from './openapi-parts.ts';
import { deadLetterId, deadLetterQuery, debugCaptureBody, gatewayPath } from './schemas.ts';

const debugCapture = z
  .object({ gatewayId: z.string(), until: z.string().nullable() })
  .meta({ id: 'DebugCapture' });

export const deadLetterPaths: ZodOpenApiPathsObject = {
  '/api/v1/dead-letters': {
    get: {
      summary: 'Rejected input: reasons, size, hash and shape of each payload, never its values',
      requestParams: { query: deadLetterQuery },
      responses: { ...answer('Dead letters, newest first', pageOf(deadLetter)), ...refusals(400) },
    },
  },
  '/api/v1/dead-letters/usage': {
    get: {
      summary: 'Bytes, letters and letters dropped over the quota, per gateway',
      responses: answer('Usage', z.object({ quotaBytes: z.int(), items: z.array(gatewayUsage) })),
    },
  },
  '/api/v1/dead-letters/{id}/payload': {
    get: {
      summary: 'The raw payload a debug capture kept (admin; every read is audited)',
      requestParams: { path: deadLetterId },
      responses: { ...answer('The raw payload', rawPayload), ...refusals(400, 403, 404) },
    },
  },
  '/api/v1/gateways/{id}/debug-capture': {
    get: {
      summary: "Until when the gateway's rejected payloads are kept raw (null: off)",
      requestParams: { path: gatewayPath },
      responses: { ...answer('The capture', debugCapture), ...refusals(400) },
    },
    put: {
      summary: "Keep the gateway's rejected payloads raw until a time at most 24 h ahead (admin, audited)",
      requestParams: { path: gatewayPath },
      requestBody: jsonBody(debugCaptureBody),
      responses: { ...answer('The capture', debugCapture), ...refusals(400, 403) },
    },
    delete: {
      summary: 'End the debug capture (admin, audited); payloads kept so far expire on their own',
      requestParams: { path: gatewayPath },
      responses: { ...answer('The capture', debugCapture), ...refusals(400, 403) },
    },
  },
};

/** The longest a debug capture may run: raw payloads are the exception, for debugging a vendor's device. */
export const maxCaptureMs = 24 * 3_600_000;

export interface DeadLetterRoutesDeps {
  store: DeadLetterStore;
  audit: AuditLog;
  now: () => Date;
  /** DEAD_LETTER_QUOTA_BYTES, shown with the usage. */
  quotaBytes: number;
}

/**
 * Dead letters for every role: reasons, sizes, hashes and shapes, never a value. Raw payloads (kept
 * only by a debug capture) only for admins, each reading audited; captures are turned on and off by
 * admins, audited.
 */
export function deadLetterRoutes({ store, audit, now, quotaBytes }: DeadLetterRoutesDeps): Router {
  const router = Router();
  const actor = (res: Parameters<typeof principalOf>[0]) => principalOf(res).name;

  router.get('/dead-letters', async (req, res) => {
    const q = parseWith(deadLetterQuery, req.query, 'query');
    const result = await store.list({
      gatewayId: q.gateway,
      reason: q.reason,
      limit: q.limit,
      offset: q.offset,
    });
    res.json({ total: result.total, limit: q.limit, offset: q.offset, items: result.items });
  });

  router.get('/dead-letters/usage', async (_req, res) => {
    res.json({ quotaBytes, items: await store.usage() });
  });

  router.get('/dead-letters/:id/payload', requireRole('admin'), async (req, res) => {
    const { id } = parseWith(deadLetterId, req.params, 'path');
    const raw = await store.rawPayload(id);
    if (!raw)
      throw new NotFoundError(`dead letter ${id} has no raw payload (none was captured, or it expired)`);
    await audit.record({
      at: now().toISOString(),
      actor: actor(res),
      action: 'dead-letter.payload-read',
      target: String(id),
      before: undefined,
      after: undefined,
    });
    res.json(raw);
  });

  router.get('/gateways/:id/debug-capture', async (req, res) => {
    const { id } = parseWith(gatewayPath, req.params, 'path');
    res.json({ gatewayId: id, until: (await store.capture(id))?.toISOString() ?? null });
  });

  router.put('/gateways/:id/debug-capture', requireRole('admin'), async (req, res) => {
    const { id } = parseWith(gatewayPath, req.params, 'path');
    const until = new Date(parseWith(debugCaptureBody, req.body, 'body').until);
    const at = now();
    if (until <= at || until.getTime() - at.getTime() > maxCaptureMs)
      throw new InvalidRequestError(
        `until must be in the future and at most ${maxCaptureMs / 3_600_000} h ahead`,
      );
    const before = (await store.capture(id))?.toISOString() ?? null;
    await store.setCapture(id, until);
    await audit.record({
      at: at.toISOString(),
      actor: actor(res),
      action: 'gateway.debug-capture',
      target: id,
      before: { until: before },
      after: { until: until.toISOString() },
    });
    res.json({ gatewayId: id, until: until.toISOString() });
  });

  router.delete('/gateways/:id/debug-capture', requireRole('admin'), async (req, res) => {
    const { id } = parseWith(gatewayPath, req.params, 'path');
    const before = (await store.capture(id))?.toISOString() ?? null;
    await store.setCapture(id, undefined);
    await audit.record({
      at: now().toISOString(),
      actor: actor(res),
      action: 'gateway.debug-capture',
      target: id,
      before: { until: before },
      after: { until: null },
    });
    res.json({ gatewayId: id, until: null });
  });
  return router;
}
