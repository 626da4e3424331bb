import { z } from 'zod';
import { gatewayId } from '../../shared/ids.ts';
import { deviceKind } from '../../shared/kinds/index.ts';
import { gatewayConfig } from '../../shared/messages.ts';
import { role } from '../access/roles.ts';
import { commandStatuses } from '../commands/store.ts';
import { aggregations, duration } from '../dashboards/series-query.ts';
import { deviceSorts } from '../registry/store.ts';

/**
 * Request schemas of the REST API: express validates every request with them, and the OpenAPI
 * document (cloud/api/openapi.ts) is generated from the same objects.
 */
export const pageQuery = {
  limit: z.coerce.number().int().min(1).max(1_000).default(100).meta({ description: 'Page size' }),
  offset: z.coerce.number().int().min(0).default(0).meta({ description: 'Items to skip' }),
};

export const deviceListQuery = z
  .object({
    kind: deviceKind.optional(),
    gateway: z.string().max(64).optional(),
    district: z.string().max(128).optional(),
    status: z.enum(['online', 'offline']).optional(),
    q: z.string().min(1).max(128).optional().meta({ description: 'Free text: part of the id or name' }),
    sort: z.enum(deviceSorts).default('id'),
    ...pageQuery,
  })
  .strict();

const isoTime = z.iso.datetime({ offset: true }).transform((t) => new Date(t));

const seriesFields = {
  metric: z.string().min(1).max(64).meta({ description: 'A numeric metric of the kind' }),
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
  .object({ kind: deviceKind, district: z.string().max(128).optional(), ...seriesFields })
  .strict()
  .refine(fromBeforeTo, { message: 'from must be before to', path: ['from'] });

export const summaryQuery = z
  .object({
    district: z.string().max(128).optional(),
    binThreshold: z.coerce.number().min(0).max(100).default(80),
  })
  .strict();

export const mapQuery = z
  .object({ kind: deviceKind.optional(), district: z.string().max(128).optional() })
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
    district: z.string().max(128).optional(),
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

export const deviceCommandBody = z.object({ command: z.unknown(), ttlS: ttl }).strict();

export const groupCommandBody = z
  .object({
    target: z
      .object({
        kind: deviceKind,
        district: z.string().max(128).optional(),
        gateway: gatewayId.optional(),
      })
      .strict(),
    command: z.unknown(),
    ttlS: ttl,
  })
  .strict();

export const commandQuery = z
  .object({
    status: z.enum(commandStatuses).optional(),
    device: z.string().max(128).optional(),
    gateway: z.string().max(64).optional(),
    ...pageQuery,
  })
  .strict();

export const deadLetterQuery = z
  .object({ gateway: z.string().max(64).optional(), reason: z.string().max(64).optional(), ...pageQuery })
  .strict();

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
