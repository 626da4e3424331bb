import { z } from 'zod';
import { deviceId, gatewayId, tagValue } from '../../shared/ids.ts';
import { deviceKind, kindCommand } from '../../shared/kinds/index.ts';
import { gatewayConfig } from '../../shared/messages.ts';
import { role } from '../access/roles.ts';
import { commandStatus } from '../commands/status.ts';
import { aggregations, duration } from '../dashboards/series-query.ts';
import { rejectReason } from '../dead-letters/rejection.ts';
import { mapState } from '../live/map-state.ts';
import { connectivity } from '../registry/registry.ts';
import { deviceSorts } from '../registry/store.ts';

/**
 * Request schemas of the REST API: express validates every request with them, and the OpenAPI
 * document (cloud/api/openapi.ts) is generated from the same objects.
 */
/** InfluxDB's time range is 1677-09-21 to 2262-04-11; a request outside it is refused here. */
export const isoTime = z.iso
  .datetime({ offset: true })
  .transform((t) => new Date(t))
  .refine((d) => d.getUTCFullYear() >= 1678 && d.getUTCFullYear() <= 2261, 'a time between 1678 and 2261');

/** A district name as stored in a tag: no control characters or backslash. */
export const district = tagValue('District');

export const pageQuery = {
  limit: z.coerce.number().int().min(1).max(1_000).default(100).meta({ description: 'Page size' }),
  offset: z.coerce.number().int().min(0).default(0).meta({ description: 'Items to skip' }),
};

export const deviceListQuery = z
  .object({
    kind: deviceKind.optional(),
    gateway: gatewayId.optional(),
    district: district.optional(),
    status: connectivity.optional(),
    state: mapState
      .optional()
      .meta({ description: 'Map state: ok, offline or the worst open alert severity' }),
    q: z.string().min(1).max(128).optional().meta({ description: 'Free text: part of the id or name' }),
    sort: z.enum(deviceSorts).default('id'),
    ...pageQuery,
  })
  .strict();

const seriesFields = {
  metric: z
    .string()
    .regex(/^[A-Za-z][A-Za-z0-9]{0,63}$/, 'a metric name: letters and digits, 1-64')
    .meta({ description: 'A numeric metric of the kind' }),
  fn: z.enum(aggregations).default('mean'),
  from: isoTime.optional().meta({ description: 'Default: 24 h before `to`' }),
  to: isoTime.optional().meta({ description: 'Default: now' }),
  every: duration.prefault('5m').meta({ description: 'Bucket size, e.g. 30s, 5m, 1h, 1d' }),
};

const fromBeforeTo = (q: { from?: Date; to?: Date }) => !q.from || !q.to || q.from < q.to;

export const seriesQuery = z
  .object(seriesFields)
  .strict()
  .refine(fromBeforeTo, { message: 'from must be before to', path: ['from'] });

export const groupSeriesQuery = z
  .object({ kind: deviceKind, district: district.optional(), ...seriesFields })
  .strict()
  .refine(fromBeforeTo, { message: 'from must be before to', path: ['from'] });

/** A device's events: newest first, at most `limit`, in [from, to). */
export const deviceEventsQuery = z
  .object({
    from: isoTime.optional().meta({ description: 'Default: 30 days before `to`' }),
    to: isoTime.optional().meta({ description: 'Default: now' }),
    limit: z.coerce.number().int().min(1).max(500).default(50).meta({ description: 'Most events to return' }),
  })
  .strict()
  .refine(fromBeforeTo, { message: 'from must be before to', path: ['from'] });

export const summaryQuery = z
  .object({
    district: district.optional(),
    binThreshold: z.coerce.number().min(0).max(100).default(80),
  })
  .strict();

const latLon = z
  .string()
  .regex(/^-?\d{1,2}(\.\d+)?,-?\d{1,3}(\.\d+)?$/, 'lat,lon')
  .transform((text) => {
    const [lat, lon] = text.split(',').map(Number) as [number, number];
    return { lat, lon };
  })
  .pipe(z.object({ lat: z.number().min(-90).max(90), lon: z.number().min(-180).max(180) }));

export const collectionQuery = z
  .object({
    threshold: z.coerce.number().min(0).max(100).default(80),
    district: district.optional(),
    depot: latLon
      .optional()
      .meta({ description: 'Start and end of the round, "lat,lon"; default: the city centre' }),
  })
  .strict();

const ttl = z
  .number()
  .int()
  .min(1)
  .max(7 * 24 * 3600)
  .default(300);

/** A command to one device: `command` is one of its kind's commands (e.g. `{ action: 'setDimming', level: 40 }`). */
export const deviceCommandBody = z
  .object({
    command: kindCommand,
    ttlS: ttl.meta({ description: 'Seconds the command may wait for delivery' }),
  })
  .strict()
  .meta({ id: 'DeviceCommandBody' });

export const groupCommandBody = z
  .object({
    target: z
      .object({
        kind: deviceKind,
        district: district.optional(),
        gateway: gatewayId.optional(),
      })
      .strict(),
    command: kindCommand,
    ttlS: ttl,
  })
  .strict()
  .meta({ id: 'GroupCommandBody' });

export const commandQuery = z
  .object({
    status: commandStatus.optional(),
    device: deviceId.optional(),
    gateway: gatewayId.optional(),
    ...pageQuery,
  })
  .strict();

export const deadLetterQuery = z
  .object({ gateway: gatewayId.optional(), reason: rejectReason.optional(), ...pageQuery })
  .strict();

export const deadLetterId = z.object({
  id: z.coerce.number().int().min(1).meta({ description: 'dead letter id' }),
});

/** Turns a gateway's debug capture on: its rejected payloads are kept raw until `until` (at most 24 h ahead). */
export const debugCaptureBody = z
  .object({
    until: z.iso
      .datetime({ offset: true })
      .meta({ description: 'When the capture ends; at most 24 h from now' }),
  })
  .strict();

export const gatewayPath = z.object({ id: gatewayId });

export const configChange = gatewayConfig.omit({ v: true, version: true }).strict();

export const tokenBody = z
  .object({
    name: z
      .string()
      .min(1)
      .max(100)
      .regex(/^[\w .@-]+$/, 'letters, digits, space, . @ _ -'),
    role,
  })
  .strict();

export const auditQuery = z.object({ ...pageQuery }).strict();
