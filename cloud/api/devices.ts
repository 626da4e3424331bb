import { Router } from 'express';
import { z } from 'zod';
import type { ZodOpenApiPathsObject } from 'zod-openapi';
import { alert } from '../alerts/schema.ts';
import type { AlertStore } from '../alerts/store.ts';
import { NotFoundError } from '../errors/domain-error.ts';
import type { DeviceStates } from '../live/device-states.ts';
import { mapState } from '../live/map-state.ts';
import { type DeviceRegistry, deviceView } from '../registry/registry.ts';
import { deviceSorts } from '../registry/store.ts';
import { parseWith } from './errors.ts';
import { answer, idPath, pageOf, refusals } from './openapi-parts.ts';
import { deviceListQuery } from './schemas.ts';

/** A device as listed: what the registry knows and its state on the map. */
const listedDevice = deviceView.extend({ state: mapState }).meta({ id: 'ListedDevice' });

export const devicePaths: ZodOpenApiPathsObject = {
  '/api/v1/devices': {
    get: {
      summary: 'Devices, filtered, sorted and paged',
      requestParams: { query: deviceListQuery },
      responses: {
        ...answer('A page of devices', pageOf(listedDevice).extend({ sort: z.enum(deviceSorts) })),
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
          listedDevice.extend({ openAlerts: z.array(alert) }).meta({ id: 'DeviceWithAlerts' }),
        ),
        ...refusals(404),
      },
    },
  },
};

/** Devices: filtered lists from the registry's memory (by kind, district, gateway, status, map state, text), one device with its open alerts. */
export function deviceRoutes(registry: DeviceRegistry, alerts: AlertStore, states: DeviceStates): Router {
  const router = Router();
  router.get('/devices', (req, res) => {
    const q = parseWith(deviceListQuery, req.query, 'query');
    const ids = q.state === undefined ? undefined : states.idsIn(q.state);
    const result = registry.listDevices(
      { kind: q.kind, gatewayId: q.gateway, district: q.district, seen: q.status, text: q.q, ids },
      { limit: q.limit, offset: q.offset, sort: q.sort },
    );
    const items = result.items.map((d) => ({ ...d, state: states.stateNow(d.id, d.status === 'online') }));
    res.json({ total: result.total, limit: q.limit, offset: q.offset, sort: q.sort, items });
  });
  router.get('/devices/:id', async (req, res) => {
    const device = registry.getDevice(req.params.id);
    if (!device) throw new NotFoundError(`device ${req.params.id} is not registered`);
    const openAlerts = (await alerts.list({ state: 'open', device: device.id, limit: 100, offset: 0 })).items;
    res.json({ ...device, state: states.stateNow(device.id, device.status === 'online'), openAlerts });
  });
  return router;
}
