import express, { type Express } from 'express';
import type { Logger } from 'pino';
import type { CommandService } from '../commands/service.ts';
import type { SqliteCommandStore } from '../commands/store.ts';
import type { DeadLetterStore } from '../dead-letters/store.ts';
import type { GatewayConfigService } from '../gateway-config/service.ts';
import type { DeviceRegistry } from '../registry/registry.ts';
import { commandRoutes } from './commands.ts';
import { deadLetterRoutes } from './dead-letters.ts';
import { deviceRoutes } from './devices.ts';
import { notFoundHandler, problemHandler } from './errors.ts';
import { gatewayRoutes } from './gateways.ts';

export interface ApiDependencies {
  registry: DeviceRegistry;
  deadLetters: DeadLetterStore;
  commands: CommandService;
  commandStore: SqliteCommandStore;
  configs: GatewayConfigService;
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
  app.use(express.json({ limit: '256kb' }));
  app.use(
    '/api/v1',
    deviceRoutes(deps.registry),
    gatewayRoutes(deps.registry, deps.configs, deps.now),
    commandRoutes(deps.registry, deps.commands, deps.commandStore),
    deadLetterRoutes(deps.deadLetters),
  );
  app.use(notFoundHandler);
  app.use(problemHandler(deps.log));
  return app;
}
