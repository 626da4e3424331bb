import { Router } from 'express';
import { z } from 'zod';
import type { ZodOpenApiPathsObject } from 'zod-openapi';
import { alert } from '../alerts/schema.ts';
import type { AlertStore } from '../alerts/store.ts';
import { NotFoundError } from '../errors/domain-error.ts';
import { type DeviceRegistry, deviceView } from '../registry/registry.ts';
import { deviceSorts } from '../registry/store.ts';
import { parseWith } from './errors.ts';
import { answer, idPath, pageOf, refusals } from './openapi-parts.ts';
import { deviceListQuery } from './schemas.ts';

export const devicePaths: ZodOpenApiPathsObject = {
  '/api/v1/devices': {
    get: {
      summary: 'Devices, filtered, sorted and paged',
      requestParams: { query: deviceListQuery },
      responses: {
        ...answer('A page of devices', pageOf(deviceView).extend({ sort: z.enum(deviceSorts) })),
        ...refusals(400),
      },
    },
  },
  '/api/v1/devices/{id}': {
    get: {
      summary: 'One device with its latest values and open alerts',
      requestParams: { path: idPath('device id') },
      responses: {
        ...answer(
          'The device',
          deviceView.extend({ openAlerts: z.array(alert) }).meta({ id: 'DeviceWithAlerts' }),
        ),
        ...refusals(404),
      },
    },
  },
};

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
