import express, { type Express } from 'express';
import type { Logger } from 'pino';
import type { Registry } from 'prom-client';
import type { CommandService } from '../commands/service.ts';
import type { SqliteCommandStore } from '../commands/store.ts';
import type { DeadLetterStore } from '../dead-letters/store.ts';
import type { GatewayConfigService } from '../gateway-config/service.ts';
import type { DeviceRegistry } from '../registry/registry.ts';
import type { InfluxConnection } from '../storage/influx.ts';
import { commandRoutes } from './commands.ts';
import { dashboardRoutes } from './dashboards.ts';
import { deadLetterRoutes } from './dead-letters.ts';
import { deviceRoutes } from './devices.ts';
import { notFoundHandler, problemHandler } from './errors.ts';
import { gatewayRoutes } from './gateways.ts';
import { openApiDocument } from './openapi.ts';

export interface ApiDependencies {
  registry: DeviceRegistry;
  deadLetters: DeadLetterStore;
  commands: CommandService;
  commandStore: SqliteCommandStore;
  configs: GatewayConfigService;
  influx: InfluxConnection;
  metrics: Registry;
  seriesMaxPoints: number;
  now: () => Date;
  log: Logger;
  health(): Record<string, unknown>;
}

export function createApi(deps: ApiDependencies): Express {
  const app = express();
  app.disable('x-powered-by');
  app.set('query parser', 'simple');
  app.get('/health', (_req, res) => {
    res.json(deps.health());
  });
  app.get('/metrics', async (_req, res) => {
    res.type(deps.metrics.contentType).send(await deps.metrics.metrics());
  });
  const openApi = openApiDocument();
  app.get('/api/openapi.json', (_req, res) => {
    res.json(openApi);
  });
  app.use(express.json({ limit: '256kb' }));
  app.use(
    '/api/v1',
    deviceRoutes(deps.registry),
    gatewayRoutes(deps.registry, deps.configs, deps.now),
    commandRoutes(deps.registry, deps.commands, deps.commandStore),
    deadLetterRoutes(deps.deadLetters),
    dashboardRoutes({
      registry: deps.registry,
      influx: deps.influx,
      now: deps.now,
      maxPoints: deps.seriesMaxPoints,
    }),
  );
  app.use(notFoundHandler);
  app.use(problemHandler(deps.log));
  return app;
}
