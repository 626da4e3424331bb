import { Router } from 'express';
import { z } from 'zod';
import { deviceKind } from '../../shared/kinds/index.ts';
import type { DeviceRegistry } from '../registry/registry.ts';
import { NotFoundError, parseWith } from './errors.ts';

export const pageQuery = {
  limit: z.coerce.number().int().min(1).max(1_000).default(100),
  offset: z.coerce.number().int().min(0).default(0),
};

const deviceListQuery = z
  .object({
    kind: deviceKind.optional(),
    gateway: z.string().max(64).optional(),
    district: z.string().max(128).optional(),
    status: z.enum(['online', 'offline']).optional(),
    ...pageQuery,
  })
  .strict();

export function deviceRoutes(registry: DeviceRegistry): Router {
  const router = Router();
  router.get('/devices', (req, res) => {
    const q = parseWith(deviceListQuery, req.query, 'query');
    const result = registry.listDevices(
      { kind: q.kind, gatewayId: q.gateway, district: q.district, seen: q.status },
      { limit: q.limit, offset: q.offset },
    );
    res.json({ total: result.total, limit: q.limit, offset: q.offset, items: result.items });
  });
  router.get('/devices/:id', (req, res) => {
    const device = registry.getDevice(req.params.id);
    if (!device) throw new NotFoundError(`device ${req.params.id} is not registered`);
    res.json(device);
  });
  return router;
}
