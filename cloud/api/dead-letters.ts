import { Router } from 'express';
import type { DeadLetterStore } from '../dead-letters/store.ts';
import { parseWith } from './errors.ts';
import { deadLetterQuery } from './schemas.ts';

export function deadLetterRoutes(store: DeadLetterStore): Router {
  const router = Router();
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
  return router;
}
