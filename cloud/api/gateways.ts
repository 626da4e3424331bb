import { Router } from 'express';
import type { AuditLog } from '../access/audit.ts';
import { NotFoundError } from '../errors/domain-error.ts';
import type { GatewayConfigService } from '../gateway-config/service.ts';
import type { DeviceRegistry } from '../registry/registry.ts';
import { principalOf, requireRole } from './auth.ts';
import { parseWith } from './errors.ts';
import { configChange } from './schemas.ts';

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
  router.get('/gateways/:id/config', (req, res) => {
    const gateway = gatewayOr404(req.params.id);
    res.json({ desired: configs.get(gateway.id) ?? null, reported: gateway.configStatus ?? null });
  });

  router.put('/gateways/:id/config', requireRole('operator'), async (req, res) => {
    const gateway = gatewayOr404(String(req.params.id));
    const change = parseWith(configChange, req.body, 'body');
    const before = configs.get(gateway.id) ?? null;
    const desired = configs.set(gateway.id, change, now());
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
