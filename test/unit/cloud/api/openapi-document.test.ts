import { Validator } from '@seriousme/openapi-schema-validator';
import express, { type Express } from 'express';
import { describe, expect, it } from 'vitest';
import { type ApiDependencies, createApi } from '../../../../cloud/api/app.ts';
import { openApiDocument } from '../../../../cloud/api/openapi.ts';
import { type TenantRouteSettings, tenantRoutes } from '../../../../cloud/api/tenant-routes.ts';
import type { TenantCell } from '../../../../cloud/tenants/cell-parts.ts';

/**
 * Anything a route module might take from its dependencies while it registers its routes: the routes
 * are listed, never called, so every dependency is a stand-in that answers any property or call with
 * another stand-in. (Only express's own options need real values.)
 */
function standIn(): unknown {
  const fn = () => proxy;
  const proxy: unknown = new Proxy(fn, { get: (_t, key) => (key === Symbol.toPrimitive ? () => '' : proxy) });
  return proxy;
}

function appWithStandIns(): Express {
  const real: Partial<ApiDependencies> = {
    corsOrigins: [],
    requestsPerMinute: 1_000,
    seriesMaxPoints: 1_000,
    consoleDir: 'console/dist',
  };
  const deps = new Proxy(real, {
    get: (target, key) => (key in target ? target[key as keyof ApiDependencies] : standIn()),
  });
  return createApi(deps as ApiDependencies);
}

/** A tenant's routes, which the app builds for each tenant when it is first asked for (see tenantScope). */
function tenantAppWithStandIns(): Express {
  const app = express();
  app.use('/api/v1', tenantRoutes(standIn() as TenantCell, standIn() as TenantRouteSettings));
  return app;
}

interface Layer {
  route?: { path: string | string[]; methods: Record<string, boolean> };
  handle: { stack?: Layer[] };
  rawPath?: string | string[];
}

/** `METHOD /path` of every route of the app, nested routers included (express 5, router 2.3). */
function routesOf(app: Express): string[] {
  const found: string[] = [];
  const walk = (stack: Layer[], prefix: string) => {
    for (const layer of stack) {
      if (layer.route) {
        for (const path of [layer.route.path].flat())
          for (const [method, on] of Object.entries(layer.route.methods))
            if (on && method !== '_all') found.push(`${method.toUpperCase()} ${prefix}${path}`);
      } else if (layer.handle.stack) {
        const mounts = [layer.rawPath ?? ''].flat().map((p) => (p === '/' ? '' : p));
        for (const mount of mounts) walk(layer.handle.stack, `${prefix}${mount}`);
      }
    }
  };
  walk((app as unknown as { router: { stack: Layer[] } }).router.stack, '');
  return [...new Set(found)].sort();
}

/** `METHOD /path` of every operation of the document, `{id}` written as express's `:id`. */
function documented(): string[] {
  const paths = openApiDocument().paths ?? {};
  return Object.entries(paths)
    .flatMap(([path, item]) =>
      Object.keys(item ?? {})
        .filter((key) => ['get', 'put', 'post', 'delete', 'patch', 'head', 'options'].includes(key))
        .map((method) => `${method.toUpperCase()} ${path.replace(/\{(\w+)\}/g, ':$1')}`),
    )
    .sort();
}

describe('the OpenAPI document', () => {
  it('documents every route of the app, and no route the app does not have', () => {
    const all = [...new Set([...routesOf(appWithStandIns()), ...routesOf(tenantAppWithStandIns())])].sort();
    // The console's pages (index.html for its client-side routes) are not the API.
    const consolePages = ['GET /', 'GET /*splat'];
    expect(all).toEqual(expect.arrayContaining(consolePages));
    const routes = all.filter((route) => !consolePages.includes(route));
    // The walk must see the nested /api/v1 routers, or the comparison proves nothing.
    expect(routes).toContain('POST /api/v1/devices/:id/commands');
    expect(routes).toContain('GET /health');
    expect(documented()).toEqual(routes);
  });

  it('is a valid OpenAPI 3.1 document', async () => {
    const validator = new Validator();
    const result = await validator.validate(JSON.parse(JSON.stringify(openApiDocument())));
    expect(result.errors ?? []).toEqual([]);
    expect(result.valid).toBe(true);
    expect(validator.version).toBe('3.1');
  });

  it('resolves every $ref to a component it holds', () => {
    const document = openApiDocument();
    const text = JSON.stringify(document);
    const refs = new Set([...text.matchAll(/"\$ref":"#\/components\/schemas\/([^"]+)"/g)].map((m) => m[1]));
    const components = Object.keys(document.components?.schemas ?? {});
    expect([...refs].filter((ref) => !components.includes(ref as string))).toEqual([]);
  });

  it("types a device command as one of the kinds' commands, each kind a named schema", () => {
    const document = openApiDocument();
    const body = document.components?.schemas?.DeviceCommandBody as {
      properties: { command: { oneOf?: { $ref: string }[]; anyOf?: { $ref: string }[] } };
    };
    const options = body.properties.command.oneOf ?? body.properties.command.anyOf ?? [];
    expect(options.map((o) => o.$ref).sort()).toEqual(
      ['camera', 'evCharger', 'streetlight', 'wasteBin'].map((k) => `#/components/schemas/${k}Command`),
    );
  });
});
