import { Router } from 'express';
import { z } from 'zod';
import type { DeadLetterStore } from '../dead-letters/store.ts';
import { pageQuery } from './devices.ts';
import { parseWith } from './errors.ts';

const deadLetterQuery = z
  .object({ gateway: z.string().max(64).optional(), reason: z.string().max(64).optional(), ...pageQuery })
  .strict();

export function deadLetterRoutes(store: DeadLetterStore): Router {
  const router = Router();
  router.get('/dead-letters', (req, res) => {
    const q = parseWith(deadLetterQuery, req.query, 'query');
    const result = store.list({ gatewayId: q.gateway, reason: q.reason, limit: q.limit, offset: q.offset });
    res.json({ total: result.total, limit: q.limit, offset: q.offset, items: result.items });
  });
  return router;
}
