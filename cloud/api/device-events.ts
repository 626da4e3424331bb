import { Router } from 'express';
import { z } from 'zod';
import type { ZodOpenApiPathsObject } from 'zod-openapi';
import { kindList } from '../../shared/kinds/index.ts';
import { deviceEventsFrom, planDeviceEvents } from '../dashboards/device-events-query.ts';
import { NotFoundError } from '../errors/domain-error.ts';
import type { DeviceRegistry } from '../registry/registry.ts';
import type { InfluxConnection } from '../storage/influx.ts';
import { parseWith } from './errors.ts';
import { answer, idPath, refusals } from './openapi-parts.ts';
import { deviceEventsQuery } from './schemas.ts';

const eventTypes = [...new Set(kindList.flatMap((k) => k.events.options as string[]))] as [
  string,
  ...string[],
];

/** One stored event: its type and the values its kind declares (never free text). */
const storedEvent = z
  .object({
    ts: z.iso.datetime(),
    type: z.enum(eventTypes).meta({ description: "One of the device kind's event types" }),
    values: z
      .record(z.string(), z.union([z.number(), z.string()]))
      .optional()
      .meta({ description: 'The values the kind declares for its events, those this event carried' }),
  })
  .meta({ id: 'DeviceEvent' });

const deviceEvents = z
  .object({ deviceId: z.string(), from: z.iso.datetime(), to: z.iso.datetime(), items: z.array(storedEvent) })
  .meta({ id: 'DeviceEvents' });

export const deviceEventPaths: ZodOpenApiPathsObject = {
  '/api/v1/devices/{id}/events': {
    get: {
      summary: "A device's events (device_event), newest first",
      requestParams: { path: idPath('device id'), query: deviceEventsQuery },
      responses: { ...answer('The events', deviceEvents), ...refusals(400, 404) },
    },
  },
};

export interface DeviceEventDependencies {
  registry: DeviceRegistry;
  influx: InfluxConnection;
  now: () => Date;
}

/** A device's events as stored in InfluxDB: bounded by a time range and a limit. */
export function deviceEventRoutes({ registry, influx, now }: DeviceEventDependencies): Router {
  const router = Router();
  router.get('/devices/:id/events', async (req, res) => {
    const device = registry.getDevice(req.params.id);
    if (!device) throw new NotFoundError(`device ${req.params.id} is not registered`);
    const q = parseWith(deviceEventsQuery, req.query, 'query');
    const to = q.to ?? now();
    const from = q.from ?? new Date(to.getTime() - 30 * 86_400_000);
    const [series] = await influx.select(
      planDeviceEvents({ kind: device.kind, deviceId: device.id, from, to, limit: q.limit }),
    );
    res.json({
      deviceId: device.id,
      from: from.toISOString(),
      to: to.toISOString(),
      items: deviceEventsFrom(series, device.kind),
    });
  });
  return router;
}
