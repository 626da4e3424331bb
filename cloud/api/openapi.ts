import { z } from 'zod';
import { createDocument, type ZodOpenApiOperationObject } from 'zod-openapi';
import { softwareVersion } from '../../shared/version.ts';
import { deadLetter, gatewayUsage, rawPayload } from '../dead-letters/store.ts';
import { eventPaths } from './events.ts';
import { mapPaths } from './map.ts';
import {
  collectionQuery,
  commandQuery,
  configChange,
  deadLetterId,
  deadLetterQuery,
  debugCaptureBody,
  deviceCommandBody,
  deviceListQuery,
  groupCommandBody,
  groupSeriesQuery,
  seriesQuery,
  summaryQuery,
} from './schemas.ts';

const debugCapture = z
  .object({ gatewayId: z.string(), until: z.string().nullable() })
  .meta({ id: 'DebugCapture' });
const adminOnly = {
  '403': {
    description: 'Needs the admin role',
    content: { 'application/problem+json': { schema: z.unknown() } },
  },
};

/** RFC 9457 problem details, as every error of the API is answered. */
const problem = z
  .object({
    type: z.string(),
    title: z.string(),
    status: z.int(),
    detail: z.string(),
    instance: z.string(),
    errors: z.array(z.object({ path: z.string(), message: z.string() })).optional(),
  })
  .meta({ id: 'Problem' });

const errors = {
  '400': { description: 'Invalid request', content: { 'application/problem+json': { schema: problem } } },
  '404': { description: 'Not found', content: { 'application/problem+json': { schema: problem } } },
};

const json = (description: string) => ({
  description,
  content: { 'application/json': { schema: z.unknown() } },
});

const typed = (description: string, schema: z.ZodType) => ({
  description,
  content: { 'application/json': { schema } },
});

const id = (name: string) => z.object({ id: z.string().meta({ description: name }) });

function get(summary: string, query?: z.ZodType, path?: z.ZodObject): { get: ZodOpenApiOperationObject } {
  return {
    get: {
      summary,
      requestParams: { ...(query ? { query: query as z.ZodObject } : {}), ...(path ? { path } : {}) },
      responses: { '200': json(summary), ...errors },
    },
  };
}

/** The OpenAPI 3.1 document, generated from the request schemas express validates with. */
export function openApiDocument() {
  return createDocument({
    openapi: '3.1.0',
    info: { title: 'City sensor platform API', version: softwareVersion },
    paths: {
      '/health': get('Status, versions and counters'),
      '/api/v1/devices': get('Devices, filtered, sorted and paged', deviceListQuery),
      '/api/v1/devices/{id}': get('One device with its latest values', undefined, id('device id')),
      '/api/v1/devices/{id}/series': get(
        'Time series of one metric of one device',
        seriesQuery,
        id('device id'),
      ),
      '/api/v1/devices/{id}/commands': {
        post: {
          summary: 'Send a command to a device; validated against its kind',
          requestParams: { path: id('device id') },
          requestBody: { content: { 'application/json': { schema: deviceCommandBody } } },
          responses: { '202': json('The command, as tracked'), ...errors },
        },
      },
      '/api/v1/series': get(
        'Time series of one metric over a kind, optionally one district',
        groupSeriesQuery,
      ),
      '/api/v1/summary': get('Fleet KPIs per kind, for the city or one district', summaryQuery),
      ...mapPaths,
      ...eventPaths,
      '/api/v1/waste/collection': get(
        'Bins to empty now, ordered into a round from the depot',
        collectionQuery,
      ),
      '/api/v1/commands': {
        ...get('Commands and their tracking', commandQuery),
        post: {
          summary: 'Send a command to every device of a kind in a district or on a gateway',
          requestBody: { content: { 'application/json': { schema: groupCommandBody } } },
          responses: { '202': json('The commands created'), ...errors },
        },
      },
      '/api/v1/commands/{id}': get('One command', undefined, id('command id')),
      '/api/v1/gateways': get('Gateways with online state, health and configuration status'),
      '/api/v1/gateways/{id}': get('One gateway', undefined, id('gateway id')),
      '/api/v1/gateways/{id}/config': {
        ...get('Desired and reported remote configuration', undefined, id('gateway id')),
        put: {
          summary: 'Push a new configuration (reporting interval, deadbands) to a gateway',
          requestParams: { path: id('gateway id') },
          requestBody: { content: { 'application/json': { schema: configChange } } },
          responses: { '200': json('Desired and reported configuration'), ...errors },
        },
      },
      '/api/v1/dead-letters': {
        get: {
          summary: 'Rejected input: reasons, size, hash and shape of each payload, never its values',
          requestParams: { query: deadLetterQuery },
          responses: {
            '200': typed(
              'Dead letters, newest first',
              z.object({ total: z.int(), limit: z.int(), offset: z.int(), items: z.array(deadLetter) }),
            ),
            ...errors,
          },
        },
      },
      '/api/v1/dead-letters/usage': {
        get: {
          summary: 'Bytes, letters and letters dropped over the quota, per gateway',
          responses: {
            '200': typed('Usage', z.object({ quotaBytes: z.int(), items: z.array(gatewayUsage) })),
          },
        },
      },
      '/api/v1/dead-letters/{id}/payload': {
        get: {
          summary: 'The raw payload a debug capture kept (admin; every read is audited)',
          requestParams: { path: deadLetterId },
          responses: { '200': typed('The raw payload', rawPayload), ...adminOnly, ...errors },
        },
      },
      '/api/v1/gateways/{id}/debug-capture': {
        get: {
          summary: "Until when the gateway's rejected payloads are kept raw (null: off)",
          requestParams: { path: id('gateway id') },
          responses: { '200': typed('The capture', debugCapture), ...errors },
        },
        put: {
          summary:
            "Keep the gateway's rejected payloads raw until a time at most 24 h ahead (admin, audited)",
          requestParams: { path: id('gateway id') },
          requestBody: { content: { 'application/json': { schema: debugCaptureBody } } },
          responses: { '200': typed('The capture', debugCapture), ...adminOnly, ...errors },
        },
        delete: {
          summary: 'End the debug capture (admin, audited); payloads kept so far expire on their own',
          requestParams: { path: id('gateway id') },
          responses: { '200': typed('The capture', debugCapture), ...adminOnly, ...errors },
        },
      },
      '/metrics': {
        get: {
          summary: 'Prometheus metrics',
          responses: { '200': { description: 'Prometheus text format' } },
        },
      },
    },
  });
}
