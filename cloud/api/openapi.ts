import { z } from 'zod';
import { createDocument, type ZodOpenApiPathItemObject, type ZodOpenApiPathsObject } from 'zod-openapi';
import { softwareVersion } from '../../shared/version.ts';
import { accessPaths } from './access.ts';
import { alertPaths } from './alerts.ts';
import { commandPaths } from './commands.ts';
import { coveragePaths } from './coverage.ts';
import { dashboardPaths } from './dashboards.ts';
import { deadLetterPaths } from './dead-letters.ts';
import { deviceEventPaths } from './device-events.ts';
import { devicePaths } from './devices.ts';
import { eventPaths } from './events.ts';
import { gatewayPaths } from './gateways.ts';
import { healthPaths } from './health.ts';
import { mapPaths } from './map.ts';
import { openDataPaths } from './open-data.ts';
import { openDatasetPaths } from './open-datasets.ts';
import { answer, refusals } from './openapi-parts.ts';
import { regionPaths } from './region.ts';
import { rulePaths } from './rules.ts';
import { sessionPaths } from './session.ts';
import { tenantPaths } from './tenants.ts';
import { userPaths } from './users.ts';

/** Where the document is served (and what `npm run console:api` reads, in process). */
export const openApiPath = '/api/openapi.json';

/** The routes of cloud/api/app.ts itself, outside /api/v1. */
const appPaths: ZodOpenApiPathsObject = {
  [openApiPath]: {
    get: {
      summary: 'This document (no authentication)',
      security: [],
      responses: answer('OpenAPI 3.1', z.record(z.string(), z.unknown())),
    },
  },
  '/metrics': {
    get: {
      summary: "Prometheus metrics: region staff the installation's, a tenant's account its tenant's counts",
      responses: {
        '200': { description: 'Prometheus text format', content: { 'text/plain': { schema: z.string() } } },
        ...refusals(401, 403),
      },
    },
  },
};

/**
 * Every module's paths, one line each. A module of cloud/api/ exports its paths next to its routes,
 * built from the schemas those routes validate with; test/unit/cloud/api/openapi-routes.test.ts
 * fails when a route of the app is missing here.
 */
const modulePaths: ZodOpenApiPathsObject[] = [
  appPaths,
  healthPaths,
  accessPaths,
  devicePaths,
  gatewayPaths,
  commandPaths,
  deadLetterPaths,
  rulePaths,
  alertPaths,
  dashboardPaths,
  deviceEventPaths,
  sessionPaths,
  userPaths,
  mapPaths,
  coveragePaths,
  eventPaths,
  tenantPaths,
  regionPaths,
  openDatasetPaths,
  openDataPaths,
];

const methods = ['get', 'put', 'post', 'delete', 'patch', 'options', 'head', 'trace'] as const;
const safeMethods = new Set(['get', 'head', 'options', 'trace']);

/**
 * Merges the modules' paths (two modules may document methods of one path, never the same one)
 * and states how each /api/v1 operation is authenticated: a bearer token, or the session cookie
 * (with the X-CSRF-Token header for a method that changes something).
 */
export function mergePaths(parts: ZodOpenApiPathsObject[]): ZodOpenApiPathsObject {
  const merged: Record<string, ZodOpenApiPathItemObject> = {};
  for (const part of parts) {
    for (const [path, item] of Object.entries(part)) {
      const into = merged[path] ?? {};
      merged[path] = into;
      for (const method of methods) {
        const operation = item[method];
        if (!operation) continue;
        if (into[method]) throw new Error(`OpenAPI: ${method.toUpperCase()} ${path} is documented twice`);
        into[method] =
          path.startsWith('/api/v1/') && !operation.security
            ? {
                ...operation,
                security: safeMethods.has(method)
                  ? [{ bearerToken: [] }, { sessionCookie: [] }]
                  : [{ bearerToken: [] }, { sessionCookie: [], csrfToken: [] }],
                responses: { ...refusals(401, 429), ...operation.responses },
              }
            : operation;
      }
    }
  }
  return merged;
}

/** The OpenAPI 3.1 document, generated from the request and answer schemas of the routes. */
export function openApiDocument() {
  return createDocument({
    openapi: '3.1.0',
    info: {
      title: 'City sensor platform API',
      version: softwareVersion,
      description:
        'Errors are RFC 9457 problem JSON; validation errors name each field in `errors` (dotted paths). ' +
        "Routes of a tenant's data act on the caller's own tenant; a region account names the tenant with " +
        'the X-Tenant header (or the `tenant` query parameter, for EventSource); another tenant answers 404.',
    },
    security: [{ bearerToken: [] }],
    components: {
      securitySchemes: {
        bearerToken: {
          type: 'http',
          scheme: 'bearer',
          description: 'An API token (npm run provision -- token add <name> <role>, or POST /api/v1/tokens)',
        },
        sessionCookie: {
          type: 'apiKey',
          in: 'cookie',
          name: 'csp_session',
          description: 'The session of a signed-in user (POST /api/v1/session)',
        },
        csrfToken: {
          type: 'apiKey',
          in: 'header',
          name: 'X-CSRF-Token',
          description:
            'With the session cookie, every method but GET, HEAD and OPTIONS carries the csrfToken of the session',
        },
      },
    },
    paths: mergePaths(modulePaths),
  });
}
