import { Router } from 'express';
import { z } from 'zod';
import type { ZodOpenApiPathsObject } from 'zod-openapi';
import { gatewayConfig } from '../../shared/messages.ts';
import type { AuditLog } from '../access/audit.ts';
import { NotFoundError } from '../errors/domain-error.ts';
import type { GatewayConfigService } from '../gateway-config/service.ts';
import type { DeviceRegistry } from '../registry/registry.ts';
import { gatewayRecord, reportedConfig } from '../registry/store.ts';
import { principalOf, requireRole } from './auth.ts';
import { parseWith } from './errors.ts';
import { answer, idPath, jsonBody, listOf, refusals } from './openapi-parts.ts';
import { configChange } from './schemas.ts';

const gatewayConfigState = z
  .object({ desired: gatewayConfig.nullable(), reported: reportedConfig.nullable() })
  .meta({ id: 'GatewayConfigState' });

export const gatewayPaths: ZodOpenApiPathsObject = {
  '/api/v1/gateways': {
    get: {
      summary: 'Gateways with online state, health and configuration status',
      responses: answer('Every gateway', listOf(gatewayRecord)),
    },
  },
  '/api/v1/gateways/{id}': {
    get: {
      summary: 'One gateway',
      requestParams: { path: idPath('gateway id') },
      responses: { ...answer('The gateway', gatewayRecord), ...refusals(404) },
    },
  },
  '/api/v1/gateways/{id}/config': {
    get: {
      summary: 'Desired and reported remote configuration',
      requestParams: { path: idPath('gateway id') },
      responses: { ...answer('Desired and reported configuration', gatewayConfigState), ...refusals(404) },
    },
    put: {
      summary: 'Push a new configuration (reporting interval, deadbands) to a gateway (operator, audited)',
      requestParams: { path: idPath('gateway id') },
      requestBody: jsonBody(configChange),
      responses: {
        ...answer('Desired and reported configuration', gatewayConfigState),
        ...refusals(400, 403, 404),
      },
    },
  },
};

export function gatewayRoutes(
  registry: DeviceRegistry,
  configs: GatewayConfigService,
  audit: AuditLog,
  now: () => Date,
): Router {
  const router = Router();
  router.get('/gateways', (_req, res) => {
    res.json({ items: registry.listGateways() });
  });

  const gatewayOr404 = (id: string) => {
    const gateway = registry.getGateway(id);
    if (!gateway) throw new NotFoundError(`gateway ${id} is not registered`);
    return gateway;
  };

  router.get('/gateways/:id', (req, res) => {
    res.json(gatewayOr404(req.params.id));
  });

  /** The desired configuration and what the gateway last confirmed. */
  router.get('/gateways/:id/config', async (req, res) => {
    const gateway = gatewayOr404(req.params.id);
    res.json({ desired: (await configs.get(gateway.id)) ?? null, reported: gateway.configStatus ?? null });
  });

  router.put('/gateways/:id/config', requireRole('operator'), async (req, res) => {
    const gateway = gatewayOr404(String(req.params.id));
    const change = parseWith(configChange, req.body, 'body');
    const before = (await configs.get(gateway.id)) ?? null;
    const desired = await configs.set(gateway.id, change, now());
    await audit.record({
      at: now().toISOString(),
      actor: principalOf(res).name,
      action: 'gateway.config',
      target: gateway.id,
      before,
      after: desired,
    });
    res.json({ desired, reported: gateway.configStatus ?? null });
  });
  return router;
}
