import { Router } from 'express';
import type { AlertStore } from '../alerts/store.ts';
import { NotFoundError } from '../errors/domain-error.ts';
import type { DeviceRegistry } from '../registry/registry.ts';
import { parseWith } from './errors.ts';
import { deviceListQuery } from './schemas.ts';

export function deviceRoutes(registry: DeviceRegistry, alerts: AlertStore): Router {
  const router = Router();
  router.get('/devices', async (req, res) => {
    const q = parseWith(deviceListQuery, req.query, 'query');
    const result = await registry.listDevices(
      { kind: q.kind, gatewayId: q.gateway, district: q.district, seen: q.status, text: q.q },
      { limit: q.limit, offset: q.offset, sort: q.sort },
    );
    res.json({ total: result.total, limit: q.limit, offset: q.offset, sort: q.sort, items: result.items });
  });
  router.get('/devices/:id', async (req, res) => {
    const device = registry.getDevice(req.params.id);
    if (!device) throw new NotFoundError(`device ${req.params.id} is not registered`);
    const openAlerts = (await alerts.list({ state: 'open', device: device.id, limit: 100, offset: 0 })).items;
    res.json({ ...device, openAlerts });
  });
  return router;
}
